using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace LlmOps.Caching.Training;

/// <summary>Embeds every question once and computes each pair's similarity, guard verdict and features.</summary>
internal static class PairScorer
{
    /// <summary>Scores the pairs with the given generator (batches of 256).</summary>
    public static async Task<IReadOnlyList<ScoredPair>> ScoreAsync(IEmbeddingGenerator<string, Embedding<float>> generator, IReadOnlyList<LabelledPair> pairs)
        => Score(pairs, await EmbedAsync(generator, pairs, cache: null).ConfigureAwait(false));

    /// <summary>Scores the pairs with known unit embeddings of every question.</summary>
    public static IReadOnlyList<ScoredPair> Score(IReadOnlyList<LabelledPair> pairs, IReadOnlyDictionary<string, float[]> vectors)
        => pairs.Select(p => Score(p, TensorPrimitives.Dot<float>(vectors[p.First], vectors[p.Second]))).ToList();

    /// <summary>
    /// Embeds every question of the pairs once (unit vectors). With <paramref name="cache"/>, reads the vectors from that
    /// file when it holds every question (a development aid), and otherwise embeds and writes it.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, float[]>> EmbedAsync(IEmbeddingGenerator<string, Embedding<float>> generator, IReadOnlyList<LabelledPair> pairs, string? cache)
    {
        var texts = pairs.SelectMany(p => new[] { p.First, p.Second }).Distinct(StringComparer.Ordinal).ToList();
        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (cache is not null && File.Exists(cache))
        {
            using var reader = new BinaryReader(File.OpenRead(cache));
            var count = reader.ReadInt32();
            for (var i = 0; i < count; i++)
            {
                var text = reader.ReadString();
                var v = new float[reader.ReadInt32()];
                for (var k = 0; k < v.Length; k++)
                {
                    v[k] = reader.ReadSingle();
                }

                vectors[text] = v;
            }

            if (texts.All(vectors.ContainsKey))
            {
                return vectors;
            }

            vectors.Clear();
        }

        for (var start = 0; start < texts.Count; start += 256)
        {
            var batch = texts.GetRange(start, Math.Min(256, texts.Count - start));
            // Embedded as the cache embeds a question: without the courtesy around it.
            var embedded = await generator.GenerateAsync(batch.Select(CacheQuestionText.Normalize)).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
            {
                var v = embedded[i].Vector.ToArray();
                var norm = TensorPrimitives.Norm<float>(v);
                TensorPrimitives.Divide(v, norm, v);
                vectors[batch[i]] = v;
            }
        }

        if (cache is not null)
        {
            using var writer = new BinaryWriter(File.Create(cache));
            writer.Write(vectors.Count);
            foreach (var (text, v) in vectors)
            {
                writer.Write(text);
                writer.Write(v.Length);
                foreach (var x in v)
                {
                    writer.Write(x);
                }
            }
        }

        return vectors;
    }

    /// <summary>
    /// Questions of different pairs by one author that are at least <paramref name="floor"/> similar (each pair's first
    /// question against every other pair's second question): almost always questions that want different answers, on
    /// related topics, which the authored near misses do not sample. Labelled "different", kind "unrelated".
    /// </summary>
    public static IReadOnlyList<ScoredPair> CrossPairs(IReadOnlyList<LabelledPair> pairs, IReadOnlyDictionary<string, float[]> vectors, float floor)
    {
        var cross = new List<ScoredPair>();
        foreach (var author in pairs.GroupBy(p => p.Author))
        {
            var rows = author.ToList();
            var own = new HashSet<(string, string)>(rows.Select(p => (p.First, p.Second)));
            for (var i = 0; i < rows.Count; i++)
            {
                for (var j = 0; j < rows.Count; j++)
                {
                    if (i == j || rows[i].First == rows[j].Second || own.Contains((rows[i].First, rows[j].Second)))
                    {
                        continue;
                    }

                    var similarity = TensorPrimitives.Dot<float>(vectors[rows[i].First], vectors[rows[j].Second]);
                    if (similarity >= floor)
                    {
                        cross.Add(Score(new LabelledPair(author.Key, "unrelated", rows[i].First, rows[j].Second, Same: false), similarity));
                    }
                }
            }
        }

        return cross;
    }

    /// <summary>Scores one pair whose similarity is known. The second question is the incoming one, the first the cached one.</summary>
    public static ScoredPair Score(LabelledPair p, float similarity)
    {
        var cached = SemanticCacheFingerprint.Create(p.First);
        var incoming = SemanticCacheFingerprint.Create(p.Second);
        var lexical = SemanticCacheGuards.Polarity | SemanticCacheGuards.Numbers | SemanticCacheGuards.QuotedStrings | SemanticCacheGuards.Entities;
        var guardsPass = incoming.Compare(cached, lexical) == SemanticCacheGuards.None;
        var features = new float[CachePairFeatures.Count];
        CachePairFeatures.Compute(incoming, cached, similarity, features);
        return new ScoredPair(p, similarity, guardsPass, features, CachePairModel.SameWords(features));
    }
}
