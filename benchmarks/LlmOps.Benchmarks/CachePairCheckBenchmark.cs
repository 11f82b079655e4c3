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

    // The worst case of the budget: four candidates that each rewrite about eight words of the incoming question,
    // so every differing word meets the WordNet relation and word-vector tables.
    private const string RewriteIncoming = "Which documents do I need to rent an automobile in Italy when visiting?";

    private static readonly string[] Rewrites =
    [
        "What paperwork is required to hire a car in Italy as a tourist?",
        "As a visitor, what forms must I have to lease a vehicle in Italy?",
        "What papers should a traveller bring to book a rental car in Italy?",
        "Which documentation does a holidaymaker need for renting a car in Italy?",
    ];

    private const string PoliteIncoming = "Hi there! Could you please tell me how to add a printer on my Mac? Thanks so much!";

    private const SemanticCacheGuards Lexical = SemanticCacheGuards.All & ~SemanticCacheGuards.PairCheck;

    private SemanticCacheFingerprint _incoming = null!;
    private SemanticCacheFingerprint[] _cached = null!;
    private SemanticCacheFingerprint _rewriteIncoming = null!;
    private SemanticCacheFingerprint _rewriteCached = null!;
    private SemanticCacheFingerprint[] _rewrites = null!;

    [GlobalSetup]
    public void Setup()
    {
        _incoming = SemanticCacheFingerprint.Create(Incoming);
        _cached = Cached.Select(SemanticCacheFingerprint.Create).ToArray();
        _rewriteIncoming = SemanticCacheFingerprint.Create("What paperwork is required to hire a car in Italy as a tourist?");
        _rewriteCached = SemanticCacheFingerprint.Create(RewriteIncoming);
        _rewrites = Rewrites.Select(SemanticCacheFingerprint.Create).ToArray();
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

    [Benchmark(Description = "pair check, 4 rewrites (8 differing words each), fingerprints kept (in-memory store)")]
    public int PairCheckFourRewrites()
    {
        var passed = 0;
        foreach (var candidate in _rewrites)
        {
            passed += CachePairModel.Default.Passes(_rewriteCached, candidate, 0.84f) ? 1 : 0;
        }

        return passed;
    }

    [Benchmark(Description = "pair check, 4 rewrites, fingerprints fresh from their stored parts (a store that deserializes)")]
    public int PairCheckFourRewritesFresh()
    {
        // A new incoming fingerprint and new candidate fingerprints on every lookup: nothing looked up before is reused.
        var incoming = Fresh(_rewriteCached);
        var passed = 0;
        foreach (var candidate in _rewrites)
        {
            passed += CachePairModel.Default.Passes(incoming, Fresh(candidate), 0.84f) ? 1 : 0;
        }

        return passed;
    }

    [Benchmark(Description = "courtesy-free question text, plain question (once per lookup)")]
    public string QuestionTextPlain() => CacheQuestionText.Normalize(Incoming);

    [Benchmark(Description = "courtesy-free question text, greeting + request + thanks (once per lookup)")]
    public string QuestionTextPolite() => CacheQuestionText.Normalize(PoliteIncoming);

    [Benchmark(Description = "fingerprint of the incoming question (lexical parts and word sequence)")]
    public SemanticCacheFingerprint Fingerprint() => SemanticCacheFingerprint.Create(Incoming);

    private static SemanticCacheFingerprint Fresh(SemanticCacheFingerprint f)
        => new(f.Polarity, f.Negated, (ulong[])f.Numbers, (ulong[])f.Quoted, (ulong[])f.Entities, (ulong[])f.Words, (ulong[])f.Sequence, (ulong[])f.Sketches);
}
