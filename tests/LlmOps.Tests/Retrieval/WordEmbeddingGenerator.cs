using Microsoft.Extensions.AI;

namespace LlmOps.Tests.Retrieval;

/// <summary>A deterministic embedding for retrieval tests: hashed bag of lower-cased words; records every batch.</summary>
internal sealed class WordEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public const int Dimensions = 256;

    public List<string[]> Batches { get; } = [];

    public Func<int, Exception?>? FailOnCall { get; set; }

    public IEnumerable<string> Embedded => Batches.SelectMany(b => b);

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string[] batch = values.ToArray();
        if (FailOnCall?.Invoke(Batches.Count + 1) is Exception ex)
        {
            throw ex;
        }

        Batches.Add(batch);
        var list = new GeneratedEmbeddings<Embedding<float>>();
        foreach (string value in batch)
        {
            list.Add(new Embedding<float>(Embed(value)));
        }

        return Task.FromResult(list);
    }

    public static float[] Embed(string value)
    {
        var vector = new float[Dimensions];
        foreach (string word in value.ToLowerInvariant().Split([' ', '\n', '.', ',', '>', '?', '!'], StringSplitOptions.RemoveEmptyEntries))
        {
            uint hash = 2166136261u;
            foreach (char c in word)
            {
                hash = (hash ^ c) * 16777619u;
            }

            vector[hash % Dimensions] += 1;
        }

        vector[Dimensions - 1] += 0.01f; // never the zero vector
        return vector;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
