namespace LlmOps.Evaluation.Metrics;

/// <summary>Options for <see cref="Bleu"/>. The defaults are sacrebleu 2.x's.</summary>
public sealed class BleuOptions
{
    /// <summary>Gets or sets how an n-gram order without matches is smoothed.</summary>
    /// <value>The default value is <see cref="BleuSmoothing.Exponential"/> (sacrebleu's default).</value>
    public BleuSmoothing Smoothing { get; set; } = BleuSmoothing.Exponential;

    /// <summary>Gets or sets the value for <see cref="BleuSmoothing.Floor"/> and <see cref="BleuSmoothing.AddK"/>.</summary>
    /// <value>The default value is <see langword="null"/>: sacrebleu's defaults, 0.1 for floor and 1 for add-k.</value>
    public double? SmoothValue { get; set; }

    /// <summary>
    /// Gets or sets whether only the n-gram orders the hypothesis has count (sacrebleu's <c>effective_order</c>).
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/>: as sacrebleu's functions do, on for <see cref="Bleu.SentenceScore"/>
    /// (<c>sentence_bleu</c>) and off for <see cref="Bleu.CorpusScore"/> (<c>corpus_bleu</c>).
    /// </value>
    public bool? EffectiveOrder { get; set; }

    /// <summary>Gets or sets whether text is lower-cased before tokenizing (sacrebleu's <c>lowercase</c>).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Lowercase { get; set; }

    /// <summary>Gets or sets NLTK's ε for <see cref="BleuSmoothing.NltkMethod1"/>.</summary>
    /// <value>The default value is 0.1 (NLTK's).</value>
    public double NltkEpsilon { get; set; } = 0.1;

    /// <summary>Gets or sets NLTK's α for <see cref="BleuSmoothing.NltkMethod6"/>.</summary>
    /// <value>The default value is 5 (NLTK's).</value>
    public double NltkAlpha { get; set; } = 5;

    /// <summary>Gets or sets NLTK's K for <see cref="BleuSmoothing.NltkMethod4"/> and <see cref="BleuSmoothing.NltkMethod7"/>.</summary>
    /// <value>The default value is 5 (NLTK's).</value>
    public double NltkK { get; set; } = 5;

    /// <summary>Returns one message per invalid value; empty when the options are valid.</summary>
    /// <returns>The problems found, each naming the option, the value and the allowed range.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(Smoothing))
        {
            errors.Add($"BleuOptions.Smoothing must be a defined BleuSmoothing value; was {(int)Smoothing}.");
        }

        if (SmoothValue is { } v && (!double.IsFinite(v) || v < 0))
        {
            errors.Add($"BleuOptions.SmoothValue must be a finite number >= 0 (or null for sacrebleu's default); was {v}.");
        }

        if (!double.IsFinite(NltkEpsilon) || NltkEpsilon <= 0)
        {
            errors.Add($"BleuOptions.NltkEpsilon must be a finite number > 0; was {NltkEpsilon}.");
        }

        if (!double.IsFinite(NltkAlpha) || NltkAlpha <= 0)
        {
            errors.Add($"BleuOptions.NltkAlpha must be a finite number > 0; was {NltkAlpha}.");
        }

        if (!double.IsFinite(NltkK) || NltkK <= 0)
        {
            errors.Add($"BleuOptions.NltkK must be a finite number > 0; was {NltkK}.");
        }

        return errors;
    }

    internal void ThrowIfInvalid()
    {
        IReadOnlyList<string> errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), "options");
        }
    }
}
