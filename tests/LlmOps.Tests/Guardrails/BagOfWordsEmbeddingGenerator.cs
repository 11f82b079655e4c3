using Microsoft.Extensions.AI;

namespace LlmOps.Tests.Guardrails;

/// <summary>A tiny deterministic embedding: hashed bag of words.</summary>
internal sealed class BagOfWordsEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public int Calls { get; private set; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls++;
        var list = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            var vector = new float[512];
            foreach (var word in value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                vector[Bucket(word)] += 1;
            }

            list.Add(new Embedding<float>(vector));
        }

        return Task.FromResult(list);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    /// <summary>FNV-1a, so buckets (and so the tests) are the same in every run.</summary>
    private static int Bucket(string word)
    {
        var hash = 2166136261u;
        foreach (var c in word)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % 512);
    }

    public void Dispose()
    {
    }
}
