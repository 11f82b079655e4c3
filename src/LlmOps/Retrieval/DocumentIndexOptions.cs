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

    /// <summary>
    /// Gets or sets a value indicating whether the chunk vectors are kept in a <see cref="Vectors.QuantizedVectorIndex"/>
    /// (an int8 scan, a quarter of the bytes, then the best 4 × k candidates rescored exactly in float32) instead of a
    /// <see cref="Vectors.FlatVectorIndex"/>. Dense and hybrid retrieval read memory bandwidth-bound over large corpora:
    /// at 100,000 chunks of 384 dimensions the exact float32 scan reads 154 MB per query, the int8 scan 38 MB. Scores
    /// stay exact float32 cosines; only the candidate set is approximate. Memory grows by a quarter (codes beside the
    /// float rows).
    /// </summary>
    /// <value>The default value is <see langword="false"/>: exact float32 scan.</value>
    public bool QuantizeVectors { get; set; }

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
