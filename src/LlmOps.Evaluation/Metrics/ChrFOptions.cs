namespace LlmOps.Evaluation.Metrics;

/// <summary>Options for <see cref="ChrF"/>. The defaults are sacrebleu 2.x's chrF; set <see cref="WordOrder"/> to 2 for chrF++.</summary>
public sealed class ChrFOptions
{
    /// <summary>Gets or sets the character n-gram order (sacrebleu's <c>char_order</c>).</summary>
    /// <value>The default value is 6.</value>
    public int CharOrder { get; set; } = 6;

    /// <summary>Gets or sets the word n-gram order (sacrebleu's <c>word_order</c>): 0 for chrF, 2 for chrF++.</summary>
    /// <value>The default value is 0.</value>
    public int WordOrder { get; set; }

    /// <summary>Gets or sets β, the weight of recall over precision.</summary>
    /// <value>The default value is 2.</value>
    public double Beta { get; set; } = 2;

    /// <summary>Gets or sets whether text is lower-cased first.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Lowercase { get; set; }

    /// <summary>Gets or sets whether whitespace is kept inside character n-grams.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Whitespace { get; set; }

    /// <summary>
    /// Gets or sets whether orders without n-grams are smoothed with ε as chrF++.py, Moses and NLTK do; otherwise
    /// (sacrebleu's default) precision and recall are averaged over the orders that have n-grams on both sides.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool EpsSmoothing { get; set; }

    /// <summary>Gets options for chrF++ (word order 2, otherwise the defaults).</summary>
    /// <returns>New options for chrF++.</returns>
    public static ChrFOptions ChrFPlusPlus() => new() { WordOrder = 2 };

    /// <summary>Returns one message per invalid value; empty when the options are valid.</summary>
    /// <returns>The problems found, each naming the option, the value and the allowed range.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (CharOrder is < 0 or > 32)
        {
            errors.Add($"ChrFOptions.CharOrder must be in [0, 32]; was {CharOrder}.");
        }

        if (WordOrder is < 0 or > 8)
        {
            errors.Add($"ChrFOptions.WordOrder must be in [0, 8]; was {WordOrder}.");
        }

        if (CharOrder + WordOrder == 0)
        {
            errors.Add("ChrFOptions.CharOrder and ChrFOptions.WordOrder are both 0; at least one must be positive.");
        }

        if (!double.IsFinite(Beta) || Beta <= 0)
        {
            errors.Add($"ChrFOptions.Beta must be a finite number > 0; was {Beta}.");
        }

        return errors;
    }
}
