using BenchmarkDotNet.Attributes;
using LlmOps.Guardrails.Injection;

namespace LlmOps.Benchmarks;

/// <summary>
/// What the concept reading (issue 17, <c>InjectionLexicon</c>) costs on the 2 KB benign prompt of
/// <see cref="GuardrailsBenchmark"/>: the concept block of the whole spaced view, with exact matching only and with the
/// spelling-tolerant matching the scanner uses. Baseline: the default injection scanner on the same text (grammar and
/// trained layer, which since the concept block ships includes it), so the ratio is the block's share of the scanner.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class InjectionConceptBenchmark
{
    private readonly PromptInjectionGuardrail _scanner = new();
    private readonly int[] _features = new int[InjectionLexicon.FeatureCount];
    private string _text = string.Empty;
    private string _spaced = string.Empty;

    /// <summary>Builds the text and its spaced view.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _text = GuardrailsBenchmark.Build(2 * 1024);
        _spaced = InjectionModel.Views(_text).Spaced;
    }

    /// <summary>The default injection scanner on the text.</summary>
    /// <returns>The score.</returns>
    [Benchmark(Baseline = true)]
    public double InjectionScanner() => _scanner.Score(_text).Score;

    /// <summary>The concept block, exact matching (and German compound heads) only.</summary>
    /// <returns>The number of features.</returns>
    [Benchmark]
    public int ConceptsExact() => InjectionLexicon.Collect(_spaced, _features, fuzzy: false);

    /// <summary>The concept block as the scanner reads it: exact, compound and within one edit.</summary>
    /// <returns>The number of features.</returns>
    [Benchmark]
    public int ConceptsSpellingTolerant() => InjectionLexicon.Collect(_spaced, _features, fuzzy: true);
}
