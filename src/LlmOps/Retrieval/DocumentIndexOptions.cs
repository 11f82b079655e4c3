using LlmOps.DependencyInjection;

namespace LlmOps.Retrieval;

/// <summary>Options for <see cref="DocumentIndex"/>.</summary>
public sealed class DocumentIndexOptions : IValidatableOptions
{
    /// <summary>The default <see cref="EmbeddingBatchSize"/>: 32.</summary>
    public const int DefaultEmbeddingBatchSize = 32;

    /// <summary>Gets or sets how documents are chunked.</summary>
    public DocumentChunkerOptions Chunker { get; set; } = new();

    /// <summary>Gets or sets the lexical index's options.</summary>
    public Bm25Options Bm25 { get; set; } = new();

    /// <summary>Gets or sets how many chunk texts go to the embedding generator in one call.</summary>
    /// <value>The default value is <see cref="DefaultEmbeddingBatchSize"/>.</value>
    public int EmbeddingBatchSize { get; set; } = DefaultEmbeddingBatchSize;

    /// <summary>Returns one message per invalid value; empty when the options are valid.</summary>
    /// <returns>The problems, each naming the option, its value and the allowed range.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Chunker is null)
        {
            errors.Add("DocumentIndexOptions.Chunker must not be null.");
        }
        else
        {
            errors.AddRange(Chunker.Validate());
        }

        if (Bm25 is null)
        {
            errors.Add("DocumentIndexOptions.Bm25 must not be null.");
        }
        else
        {
            errors.AddRange(Bm25.Validate());
        }

        if (EmbeddingBatchSize < 1)
        {
            errors.Add($"DocumentIndexOptions.EmbeddingBatchSize must be at least 1; was {EmbeddingBatchSize}.");
        }

        return errors;
    }
}
