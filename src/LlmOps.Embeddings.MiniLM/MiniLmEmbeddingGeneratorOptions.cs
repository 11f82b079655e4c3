namespace LlmOps.Embeddings.MiniLM;

/// <summary>Options for <see cref="MiniLmEmbeddingGenerator"/>.</summary>
public sealed class MiniLmEmbeddingGeneratorOptions
{
    /// <summary>Gets or sets the largest number of texts encoded in one model call. Larger inputs are split.</summary>
    /// <value>The default value is 32.</value>
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>Gets or sets the number of threads the ONNX runtime uses inside one call; 0 keeps the runtime's default (all cores).</summary>
    /// <value>The default value is 0.</value>
    public int IntraOpThreads { get; set; }
}
