using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.AI;

namespace LlmOps.RetrievalQuality;

/// <summary>
/// A tool-side embedding cache for iterating on a corpus: embeddings keyed by the XxHash128 of the text, kept in a
/// file outside the repository. Not part of the library; the acceptance command runs without it.
/// </summary>
public sealed class DiskCachedEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, string path) : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly Dictionary<UInt128, float[]> _cache = Load(path);
    private readonly List<(UInt128, float[])> _added = [];

    public EmbeddingGeneratorMetadata Metadata => inner.GetService<EmbeddingGeneratorMetadata>()!;

    public int Hits { get; private set; }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        string[] texts = values.ToArray();
        var result = new Embedding<float>[texts.Length];
        var missing = new List<int>();
        for (int i = 0; i < texts.Length; i++)
        {
            if (_cache.TryGetValue(Key(texts[i]), out float[]? v))
            {
                result[i] = new Embedding<float>(v);
                Hits++;
            }
            else
            {
                missing.Add(i);
            }
        }

        if (missing.Count > 0)
        {
            GeneratedEmbeddings<Embedding<float>> fresh = await inner.GenerateAsync(missing.Select(i => texts[i]), options, cancellationToken);
            for (int j = 0; j < missing.Count; j++)
            {
                float[] v = fresh[j].Vector.ToArray();
                UInt128 key = Key(texts[missing[j]]);
                _cache[key] = v;
                _added.Add((key, v));
                result[missing[j]] = fresh[j];
            }

            if (_added.Count >= 512)
            {
                Flush();
            }
        }

        return new GeneratedEmbeddings<Embedding<float>>(result);
    }

    public void Flush()
    {
        using var fs = new FileStream(path, FileMode.Append, FileAccess.Write);
        using var w = new BinaryWriter(fs);
        foreach ((UInt128 key, float[] v) in _added)
        {
            w.Write((ulong)(key >> 64));
            w.Write((ulong)key);
            w.Write(v.Length);
            w.Write(MemoryMarshal.AsBytes(v.AsSpan()));
        }

        _added.Clear();
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);

    public void Dispose()
    {
        Flush();
        inner.Dispose();
    }

    private static UInt128 Key(string text) => XxHash128.HashToUInt128(MemoryMarshal.AsBytes(text.AsSpan()));

    private static Dictionary<UInt128, float[]> Load(string path)
    {
        var cache = new Dictionary<UInt128, float[]>();
        if (!File.Exists(path))
        {
            return cache;
        }

        using var r = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        while (r.BaseStream.Position < r.BaseStream.Length)
        {
            try
            {
                UInt128 key = new(r.ReadUInt64(), r.ReadUInt64());
                int n = r.ReadInt32();
                var v = new float[n];
                r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(v.AsSpan()));
                cache[key] = v;
            }
            catch (EndOfStreamException)
            {
                break; // a torn last record
            }
        }

        return cache;
    }
}
