using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace LlmOps.Quality.Guardrails;

/// <summary>Memoises another generator's vectors by text, so a text shared by several measurements is embedded once.</summary>
internal sealed class CachedEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner) : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly ConcurrentDictionary<string, float[]> cache = new(StringComparer.Ordinal);

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        string[] texts = [.. values];
        string[] missing = [.. texts.Where(t => !cache.ContainsKey(t)).Distinct(StringComparer.Ordinal)];
        if (missing.Length > 0)
        {
            var embedded = await inner.GenerateAsync(missing, options, cancellationToken);
            for (var i = 0; i < missing.Length; i++)
            {
                cache[missing[i]] = embedded[i].Vector.ToArray();
            }
        }

        return [.. texts.Select(t => new Embedding<float>(cache[t]))];
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);

    public void Dispose()
    {
    }
}
