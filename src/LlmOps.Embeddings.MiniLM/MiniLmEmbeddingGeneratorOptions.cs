namespace LlmOps.Embeddings.MiniLM;

/// <summary>
/// Options for <see cref="MiniLmEmbeddingGenerator"/>. Registered with <c>services.AddMiniLmEmbeddingGenerator(o =&gt; …)</c>,
/// they are validated at startup (<c>ValidateOnStart</c>), not at the first embedding.
/// </summary>
public sealed class MiniLmEmbeddingGeneratorOptions
{
    /// <summary>Gets or sets the largest number of texts encoded in one model call. Larger inputs are split.</summary>
    /// <value>The default value is 32. Allowed: 1 to 4,096.</value>
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>Gets or sets the number of threads the ONNX runtime uses inside one call; 0 keeps the runtime's default (all cores).</summary>
    /// <value>The default value is 0. Allowed: 0 to 1,024.</value>
    public int IntraOpThreads { get; set; }

    /// <summary>Checks the options and returns one message per bad option, naming the option, its value and the allowed range.</summary>
    /// <returns>The problems found; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxBatchSize is < 1 or > 4096)
        {
            errors.Add($"MiniLmEmbeddingGeneratorOptions.MaxBatchSize must be in [1, 4096]; was {MaxBatchSize}.");
        }

        if (IntraOpThreads is < 0 or > 1024)
        {
            errors.Add($"MiniLmEmbeddingGeneratorOptions.IntraOpThreads must be in [0, 1024] (0 keeps the runtime's default); was {IntraOpThreads}.");
        }

        return errors;
    }
}
