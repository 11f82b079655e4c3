using LlmOps.DependencyInjection;

namespace LlmOps.Retrieval;

/// <summary>Options for <see cref="Bm25Index"/>.</summary>
public sealed class Bm25Options : IValidatableOptions
{
    /// <summary>The default <see cref="K1"/>: 0.9 (Anserini's default; Lucene's is 1.2).</summary>
    public const float DefaultK1 = 0.9f;

    /// <summary>The default <see cref="B"/>: 0.4 (Anserini's default; Lucene's is 0.75).</summary>
    public const float DefaultB = 0.4f;

    /// <summary>Gets or sets the term-frequency saturation k1: higher values let repeated terms count for longer.</summary>
    /// <value>The default value is <see cref="DefaultK1"/>.</value>
    public float K1 { get; set; } = DefaultK1;

    /// <summary>Gets or sets the length normalisation b, in [0, 1]: 0 ignores length, 1 normalises fully.</summary>
    /// <value>The default value is <see cref="DefaultB"/>.</value>
    public float B { get; set; } = DefaultB;

    /// <summary>Gets or sets the analyzer used for documents and queries.</summary>
    /// <value>The default value is <see cref="EnglishTextAnalyzer.Default"/>.</value>
    public ITextAnalyzer Analyzer { get; set; } = EnglishTextAnalyzer.Default;

    /// <summary>Returns one message per invalid value; empty when the options are valid.</summary>
    /// <returns>The problems, each naming the option, its value and the allowed range.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!float.IsFinite(K1) || K1 < 0)
        {
            errors.Add($"Bm25Options.K1 must be a finite number >= 0; was {K1}.");
        }

        if (!float.IsFinite(B) || B < 0 || B > 1)
        {
            errors.Add($"Bm25Options.B must be in [0, 1]; was {B}.");
        }

        if (Analyzer is null)
        {
            errors.Add("Bm25Options.Analyzer must not be null; use EnglishTextAnalyzer.Default or your own ITextAnalyzer.");
        }

        return errors;
    }
}
