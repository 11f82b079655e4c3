using LlmOps.DependencyInjection;

namespace LlmOps.Retrieval;

/// <summary>Options for <see cref="DocumentChunker"/>.</summary>
public sealed class DocumentChunkerOptions : IValidatableOptions
{
    /// <summary>The default <see cref="MaxTokens"/>: 256.</summary>
    public const int DefaultMaxTokens = 256;

    /// <summary>The default <see cref="OverlapTokens"/>: 32.</summary>
    public const int DefaultOverlapTokens = 32;

    /// <summary>
    /// Gets or sets the largest size of a chunk's text in tokens. A sentence longer than this is cut at word
    /// boundaries.
    /// </summary>
    /// <value>The default value is <see cref="DefaultMaxTokens"/>.</value>
    public int MaxTokens { get; set; } = DefaultMaxTokens;

    /// <summary>
    /// Gets or sets how many tokens of whole trailing sentences a chunk repeats from the previous chunk of the same
    /// section (0 for none). Must be less than <see cref="MaxTokens"/>.
    /// </summary>
    /// <value>The default value is <see cref="DefaultOverlapTokens"/>.</value>
    public int OverlapTokens { get; set; } = DefaultOverlapTokens;

    /// <summary>Gets or sets the model whose tokenizer counts tokens (see <see cref="Metering.TokenCounter.GetEncoding"/>).</summary>
    /// <value>The default value is <see langword="null"/> (o200k_base).</value>
    public string? TokenizerModelId { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the document title and the heading path are put before each chunk's
    /// text in <see cref="DocumentChunk.IndexText"/>, so a chunk deep in a document still matches its topic.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool IncludeContextInIndexText { get; set; } = true;

    /// <summary>Returns one message per invalid value; empty when the options are valid.</summary>
    /// <returns>The problems, each naming the option, its value and the allowed range.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxTokens < 8)
        {
            errors.Add($"DocumentChunkerOptions.MaxTokens must be at least 8; was {MaxTokens}.");
        }

        if (OverlapTokens < 0 || OverlapTokens >= MaxTokens)
        {
            errors.Add($"DocumentChunkerOptions.OverlapTokens must be in [0, MaxTokens); was {OverlapTokens} with MaxTokens {MaxTokens}.");
        }

        return errors;
    }
}
