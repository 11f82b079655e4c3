using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using LlmOps.Embeddings.MiniLM;
using LlmOps.Guardrails.Injection;

namespace LlmOps.Guardrails.Training;

/// <summary>
/// Embeds texts for the second stage's head exactly as <see cref="InjectionSecondStage"/> does at run time: the
/// <see cref="InjectionSecondStage.Excerpt"/> of the text, one text per call (so the vector does not depend on which texts
/// share a batch), with all-MiniLM-L6-v2. Embedding about 15,000 texts takes minutes on two cores, so vectors are kept in
/// a cache file outside the repository (by default in the temp folder), keyed by the XxHash128 of the excerpt; the cache
/// holds exactly what the generator returned, so a run from the cache and a run without it train the same head.
/// </summary>
internal sealed class HeadEmbeddings : IDisposable
{
    private const int Dimensions = MiniLmEmbeddingGenerator.Dimensions;

    private readonly string? cachePath;
    private readonly Dictionary<UInt128, float[]> cache = [];
    private readonly MiniLmEmbeddingGenerator generator = new(new MiniLmEmbeddingGeneratorOptions { MaxBatchSize = 1 });

    /// <summary>Initializes a new instance of the <see cref="HeadEmbeddings"/> class.</summary>
    /// <param name="cachePath">The cache file, or <see langword="null"/> to embed everything afresh.</param>
    public HeadEmbeddings(string? cachePath)
    {
        this.cachePath = cachePath;
        if (cachePath is not null && File.Exists(cachePath))
        {
            var data = File.ReadAllBytes(cachePath);
            const int Record = 16 + (Dimensions * 4);
            for (var offset = 0; offset + Record <= data.Length; offset += Record)
            {
                var key = BinaryPrimitives.ReadUInt128LittleEndian(data.AsSpan(offset));
                var vector = MemoryMarshal.Cast<byte, float>(data.AsSpan(offset + 16, Dimensions * 4)).ToArray();
                cache[key] = vector;
            }
        }
    }

    /// <summary>Gets the default cache file.</summary>
    public static string DefaultCachePath => Path.Combine(Path.GetTempPath(), "llmops-injection-head-minilm.cache");

    /// <summary>Embeds texts (their excerpts), from the cache where it has them.</summary>
    /// <param name="texts">The texts.</param>
    /// <returns>One vector per text, in order.</returns>
    public float[][] Embed(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var result = new float[texts.Count][];
        using var append = cachePath is null ? null : new FileStream(cachePath, FileMode.Append, FileAccess.Write);
        var fresh = 0;
        var head = new byte[16];
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < texts.Count; i++)
        {
            var excerpt = InjectionSecondStage.Excerpt(texts[i]);
            var key = XxHash128.HashToUInt128(MemoryMarshal.AsBytes(excerpt.AsSpan()));
            if (!cache.TryGetValue(key, out var vector))
            {
                vector = generator.GenerateAsync([excerpt]).GetAwaiter().GetResult()[0].Vector.ToArray();
                cache[key] = vector;
                if (append is not null)
                {
                    BinaryPrimitives.WriteUInt128LittleEndian(head, key);
                    append.Write(head);
                    append.Write(MemoryMarshal.AsBytes(vector.AsSpan()));
                }

                if (++fresh % 500 == 0)
                {
                    append?.Flush();
                    Console.Error.WriteLine($"  embedded {fresh} new texts ({i + 1}/{texts.Count}) in {started.Elapsed.TotalSeconds:0} s");
                }
            }

            result[i] = vector;
        }

        Console.Error.WriteLine($"{texts.Count} texts embedded ({fresh} new) in {started.Elapsed.TotalSeconds:0.0} s");
        return result;
    }

    /// <summary>Embeds the texts of a corpus that the head reads (<see cref="SecondStageCrossValidation.IsEmbedded"/>).</summary>
    /// <param name="corpus">The corpus.</param>
    /// <param name="cachePath">The cache file, or <see langword="null"/> to embed everything afresh.</param>
    /// <returns>One vector per example, null for the examples the head does not read.</returns>
    public static float[]?[] EmbedCorpus(IReadOnlyList<TrainingExample> corpus, string? cachePath)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        using var embedder = new HeadEmbeddings(cachePath);
        var indices = Enumerable.Range(0, corpus.Count).Where(i => SecondStageCrossValidation.IsEmbedded(corpus[i])).ToArray();
        var embedded = embedder.Embed([.. indices.Select(i => corpus[i].Text)]);
        var result = new float[]?[corpus.Count];
        for (var k = 0; k < indices.Length; k++)
        {
            result[indices[k]] = embedded[k];
        }

        return result;
    }

    /// <inheritdoc/>
    public void Dispose() => generator.Dispose();
}
