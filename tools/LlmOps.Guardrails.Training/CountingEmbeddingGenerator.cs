using Microsoft.Extensions.AI;

namespace LlmOps.Guardrails.Training;

/// <summary>Counts the texts another generator embeds (how often the second stage ran).</summary>
/// <param name="inner">The generator.</param>
internal sealed class CountingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner) : IEmbeddingGenerator<string, Embedding<float>>
{
    private int calls;

    /// <summary>Gets the number of texts embedded.</summary>
    public int Calls => Volatile.Read(ref calls);

    /// <inheritdoc/>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values as IReadOnlyCollection<string> ?? [.. values];
        Interlocked.Add(ref calls, texts.Count);
        return inner.GenerateAsync(texts, options, cancellationToken);
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}
