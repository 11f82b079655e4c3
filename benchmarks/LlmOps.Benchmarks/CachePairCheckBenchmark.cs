using BenchmarkDotNet.Attributes;
using LlmOps.Caching;

namespace LlmOps.Benchmarks;

/// <summary>
/// What the pair check (issue 15) adds to a semantic lookup beyond the lexical guards: the word sequence that
/// <see cref="SemanticCacheFingerprint.Create"/> now also extracts from the incoming question (once per lookup), and the
/// check of each candidate above the threshold (up to <see cref="SemanticCacheOptions.MaxCandidates"/>, 4 by default).
/// The baseline is the lexical guards over the same four candidates.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class CachePairCheckBenchmark
{
    private const string Incoming = "What's the cheapest way to send 500 GBP from London to a bank account in Tokyo?";

    private static readonly string[] Cached =
    [
        "What's the cheapest way to send 500 GBP from Tokyo to a bank account in London?",
        "whats the cheapest way to send 500 GBP from London to a bank acount in Tokyo",
        "What is the cheapest way to send 500 GBP from London to a bank account in Osaka?",
        "Cheapest way to transfer 500 GBP from London to a bank account in Tokyo?",
    ];

    private const SemanticCacheGuards Lexical = SemanticCacheGuards.All & ~SemanticCacheGuards.PairCheck;

    private SemanticCacheFingerprint _incoming = null!;
    private SemanticCacheFingerprint[] _cached = null!;
    private SemanticCacheFingerprint _rewriteIncoming = null!;
    private SemanticCacheFingerprint _rewriteCached = null!;

    [GlobalSetup]
    public void Setup()
    {
        _incoming = SemanticCacheFingerprint.Create(Incoming);
        _cached = Cached.Select(SemanticCacheFingerprint.Create).ToArray();
        _rewriteIncoming = SemanticCacheFingerprint.Create("What paperwork is required to hire a car in Italy as a tourist?");
        _rewriteCached = SemanticCacheFingerprint.Create("Which documents do I need to rent an automobile in Italy when visiting?");
        _ = CachePairModel.Default;
        _ = CacheWordVectors.Default;
        _ = CacheWordRelations.Default;
    }

    [Benchmark(Baseline = true, Description = "lexical guards, 4 candidates")]
    public int LexicalGuardsFourCandidates()
    {
        var passed = 0;
        foreach (var candidate in _cached)
        {
            passed += _incoming.Compare(candidate, Lexical) == SemanticCacheGuards.None ? 1 : 0;
        }

        return passed;
    }

    [Benchmark(Description = "word sequence of the incoming question (once per lookup)")]
    public int WordSequence() => CachePairTokenizer.Tokenize(Incoming).Tokens.Length;

    [Benchmark(Description = "pair check, 1 candidate")]
    public bool PairCheckOneCandidate() => CachePairModel.Default.Passes(_incoming, _cached[0], 0.97f);

    [Benchmark(Description = "pair check, 4 candidates")]
    public int PairCheckFourCandidates()
    {
        var passed = 0;
        foreach (var candidate in _cached)
        {
            passed += CachePairModel.Default.Passes(_incoming, candidate, 0.95f) ? 1 : 0;
        }

        return passed;
    }

    [Benchmark(Description = "pair check, rewrite (8 differing words meet the word-vector table)")]
    public bool PairCheckRewrite() => CachePairModel.Default.Passes(_rewriteIncoming, _rewriteCached, 0.84f);

    [Benchmark(Description = "fingerprint of the incoming question (lexical parts and word sequence)")]
    public SemanticCacheFingerprint Fingerprint() => SemanticCacheFingerprint.Create(Incoming);
}
