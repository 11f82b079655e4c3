using System.Buffers.Binary;
using System.IO.Hashing;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LlmOps.Caching;

/// <summary>
/// A static word-vector table for the pair check (<see cref="CachePairFeatures"/>): one small int8 vector per word stem,
/// keyed by the stem hash that <see cref="CachePairTokenizer"/> stores in each token, so the pair check can tell a
/// swapped synonym ("car"/"automobile") from a swapped other word ("project"/"account") without embedding anything at
/// lookup time and without the question's text.
/// </summary>
/// <remarks>
/// <para>
/// The shipped table (<c>CacheWordVectors.bin</c>, embedded) is distilled offline by <c>tools/LlmOps.Caching.Training</c>
/// (<c>vectors</c>) from all-MiniLM-L6-v2: each whole word of MiniLM's WordPiece vocabulary is embedded on its own, the
/// vectors of the words that share a stem are averaged, centred, projected on their top principal components and
/// quantised to int8 (one scale per vector, which the cosine does not need).
/// </para>
/// <para>
/// File format (little-endian): the 8 ASCII bytes <c>LLMOPSWV</c>, format version (int32), entry count (int32),
/// dimensions (int32), the keys (uint64 each, strictly ascending: the 56-bit stem hashes), the vectors (dimensions
/// int8 values per entry, in key order), then the XxHash64 of everything before it.
/// </para>
/// <para>Thread-safe: read-only after loading; lookups and cosines allocate nothing.</para>
/// </remarks>
internal sealed class CacheWordVectors
{
    /// <summary>The name of the embedded resource that holds the shipped table.</summary>
    public const string ResourceName = "LlmOps.Caching.CacheWordVectors.bin";

    /// <summary>The most dimensions a table may have.</summary>
    public const int MaxDimensions = 256;

    private const int FormatVersion = 1;
    private const string Retrain = "Distil it again with tools/LlmOps.Caching.Training (vectors).";
    private static readonly byte[] Magic = "LLMOPSWV"u8.ToArray();
    private static readonly Lazy<CacheWordVectors> Shipped = new(LoadShipped, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly ulong[] _keys;
    private readonly sbyte[] _vectors;
    private readonly float[] _inverseNorms;
    private readonly float[] _courtesy;
    private readonly CacheStemIndex _index;

    /// <summary>Initializes a new instance of the <see cref="CacheWordVectors"/> class.</summary>
    /// <param name="keys">The stem hashes, strictly ascending (copied).</param>
    /// <param name="vectors"><paramref name="dimensions"/> values per key, in key order (copied).</param>
    /// <param name="dimensions">The number of dimensions, 1 to <see cref="MaxDimensions"/>.</param>
    /// <exception cref="ArgumentException">The keys are not strictly ascending, a vector is all zeros, or the lengths do not agree.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimensions"/> is out of range.</exception>
    public CacheWordVectors(ReadOnlySpan<ulong> keys, ReadOnlySpan<sbyte> vectors, int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dimensions, MaxDimensions);
        if (vectors.Length != keys.Length * dimensions)
        {
            throw new ArgumentException($"{keys.Length} keys of {dimensions} dimensions need {keys.Length * dimensions} values, not {vectors.Length}.", nameof(vectors));
        }

        for (var i = 1; i < keys.Length; i++)
        {
            if (keys[i] <= keys[i - 1])
            {
                throw new ArgumentException($"The word-vector keys must be strictly ascending; key {i} is not.", nameof(keys));
            }
        }

        _keys = keys.ToArray();
        _index = new CacheStemIndex(_keys);
        _vectors = vectors.ToArray();
        Dimensions = dimensions;
        _inverseNorms = new float[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            var v = _vectors.AsSpan(i * dimensions, dimensions);
            long sum = 0;
            foreach (var x in v)
            {
                sum += x * x;
            }

            if (sum == 0)
            {
                throw new ArgumentException($"The word vector of key {i} is all zeros.", nameof(vectors));
            }

            _inverseNorms[i] = 1f / MathF.Sqrt(sum);
        }

        _courtesy = CourtesyCosines();
    }

    /// <summary>The greeting and courtesy words whose centroid <see cref="CourtesyCosine"/> measures against.</summary>
    public static IReadOnlyList<string> CourtesyWords { get; } = ["hi", "hello", "hey", "please", "kindly", "thanks", "thank", "ok", "okay"];

    /// <summary>Gets the table shipped in the assembly.</summary>
    public static CacheWordVectors Default => Shipped.Value;

    /// <summary>Gets the number of dimensions of every vector.</summary>
    public int Dimensions { get; }

    /// <summary>Gets the number of words (stems) in the table.</summary>
    public int Count => _keys.Length;

    /// <summary>Finds the entry of a token's stem.</summary>
    /// <param name="token">A token of <see cref="CachePairTokenizer"/> (its class bits are ignored).</param>
    /// <returns>The entry's index, or -1 when the stem is not in the table.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int IndexOf(ulong token)
        => _index.IndexOf(CachePairTokenizer.StemOf(token));

    /// <summary>Gets an entry's quantised vector.</summary>
    /// <param name="index">An index from <see cref="IndexOf"/>.</param>
    /// <returns>The <see cref="Dimensions"/> values.</returns>
    public ReadOnlySpan<sbyte> Vector(int index) => _vectors.AsSpan(index * Dimensions, Dimensions);

    /// <summary>Gets one over an entry's vector length.</summary>
    /// <param name="index">An index from <see cref="IndexOf"/>.</param>
    /// <returns>The inverse of the Euclidean norm of <see cref="Vector"/>.</returns>
    public float InverseNorm(int index) => _inverseNorms[index];

    /// <summary>The cosine similarity of two entries, in [-1, 1].</summary>
    /// <param name="a">An index from <see cref="IndexOf"/>.</param>
    /// <param name="b">Another index from <see cref="IndexOf"/>.</param>
    /// <returns>The cosine of the two vectors.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float Cosine(int a, int b)
    {
        if (a == b)
        {
            return 1f;
        }

        var dot = Dot(Vector(a), Vector(b));
        return dot * _inverseNorms[a] * _inverseNorms[b];
    }

    /// <summary>
    /// The integer dot product of two quantised vectors: 16 bytes at a time, widened to 16-bit products (at most
    /// 128 × 128 = 16,384, so they fit) and summed into 32-bit lanes, with a scalar tail. Integer sums do not depend on the order,
    /// so the result equals the scalar loop's exactly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Dot(ReadOnlySpan<sbyte> x, ReadOnlySpan<sbyte> y)
    {
        var k = 0;
        var dot = 0;
        if (Vector128.IsHardwareAccelerated && x.Length >= Vector128<sbyte>.Count)
        {
            ref var rx = ref MemoryMarshal.GetReference(x);
            ref var ry = ref MemoryMarshal.GetReference(y);
            var sum = Vector128<int>.Zero;
            for (; k <= x.Length - Vector128<sbyte>.Count; k += Vector128<sbyte>.Count)
            {
                var (xl, xh) = Vector128.Widen(Vector128.LoadUnsafe(ref rx, (nuint)k));
                var (yl, yh) = Vector128.Widen(Vector128.LoadUnsafe(ref ry, (nuint)k));
                var (pl, ph) = Vector128.Widen(xl * yl);
                var (ql, qh) = Vector128.Widen(xh * yh);
                sum += pl + ph + ql + qh;
            }

            dot = Vector128.Sum(sum);
        }

        for (; k < x.Length; k++)
        {
            dot += x[k] * y[k];
        }

        return dot;
    }

    /// <summary>The cosine of an entry to the centroid of <see cref="CourtesyWords"/> (0 when none of them is in the table).</summary>
    /// <param name="index">An index from <see cref="IndexOf"/>.</param>
    /// <returns>The cosine, in [-1, 1].</returns>
    public float CourtesyCosine(int index) => _courtesy[index];

    /// <summary>Adds an entry's unit-length vector to <paramref name="sum"/>.</summary>
    /// <param name="index">An index from <see cref="IndexOf"/>.</param>
    /// <param name="sum">The running sum, <see cref="Dimensions"/> values.</param>
    public void AddUnitVector(int index, Span<float> sum)
    {
        var v = Vector(index);
        var scale = _inverseNorms[index];
        var k = 0;
        if (Vector128.IsHardwareAccelerated && sum.Length >= v.Length)
        {
            // Each lane does what the scalar tail does (convert exactly, multiply, add), so the sums are the same floats.
            ref var rv = ref MemoryMarshal.GetReference(v);
            ref var rs = ref MemoryMarshal.GetReference(sum);
            var factor = Vector128.Create(scale);
            for (; k <= v.Length - Vector128<sbyte>.Count; k += Vector128<sbyte>.Count)
            {
                var (low, high) = Vector128.Widen(Vector128.LoadUnsafe(ref rv, (nuint)k));
                var (a, b) = Vector128.Widen(low);
                var (c, d) = Vector128.Widen(high);
                Add(ref rs, k, a, factor);
                Add(ref rs, k + 4, b, factor);
                Add(ref rs, k + 8, c, factor);
                Add(ref rs, k + 12, d, factor);
            }
        }

        for (; k < v.Length; k++)
        {
            sum[k] += v[k] * scale;
        }

        static void Add(ref float sum, int at, Vector128<int> values, Vector128<float> factor)
            => ((Vector128.LoadUnsafe(ref sum, (nuint)at) + (Vector128.ConvertToSingle(values) * factor))).StoreUnsafe(ref sum, (nuint)at);
    }

    /// <summary>The cosine similarity of two dense vectors (0 when either is zero).</summary>
    /// <param name="a">One vector.</param>
    /// <param name="b">The other, as long.</param>
    /// <returns>The cosine.</returns>
    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var na = TensorPrimitives.Norm(a);
        var nb = TensorPrimitives.Norm(b);
        return na == 0 || nb == 0 ? 0f : TensorPrimitives.Dot(a, b) / (na * nb);
    }

    /// <summary>Writes the table in the shipped file format.</summary>
    /// <param name="destination">Where to write.</param>
    public void Save(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var header = Magic.Length + 12;
        var length = header + (8 * _keys.Length) + _vectors.Length;
        var buffer = new byte[length + 8];
        Magic.CopyTo(buffer, 0);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(Magic.Length), FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(Magic.Length + 4), _keys.Length);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(Magic.Length + 8), Dimensions);
        var offset = header;
        foreach (var key in _keys)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(offset), key);
            offset += 8;
        }

        for (var i = 0; i < _vectors.Length; i++)
        {
            buffer[offset + i] = unchecked((byte)_vectors[i]);
        }

        BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(length), XxHash64.HashToUInt64(buffer.AsSpan(0, length)));
        destination.Write(buffer);
    }

    /// <summary>Reads a table written by <see cref="Save"/>.</summary>
    /// <param name="source">Where to read.</param>
    /// <returns>The table.</returns>
    /// <exception cref="InvalidDataException">The data is not a word-vector table of this version, or is damaged.</exception>
    public static CacheWordVectors Load(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var memory = new MemoryStream();
        source.CopyTo(memory);
        var data = memory.GetBuffer().AsSpan(0, (int)memory.Length);
        var header = Magic.Length + 12;
        if (data.Length < header + 8 || !data[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException("This is not a cache word-vector table (the LLMOPSWV header is missing). " + Retrain);
        }

        var body = data[..^8];
        if (XxHash64.HashToUInt64(body) != BinaryPrimitives.ReadUInt64LittleEndian(data[^8..]))
        {
            throw new InvalidDataException("The cache word-vector table is damaged (its checksum does not match). " + Retrain);
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(data[Magic.Length..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(data[(Magic.Length + 4)..]);
        var dimensions = BinaryPrimitives.ReadInt32LittleEndian(data[(Magic.Length + 8)..]);
        if (version != FormatVersion || count < 0 || dimensions is < 1 or > MaxDimensions || body.Length != header + ((long)count * (8 + dimensions)))
        {
            throw new InvalidDataException($"The cache word-vector table has format {version} ({count} words of {dimensions} dimensions, {body.Length} bytes); this library reads format {FormatVersion}. " + Retrain);
        }

        var keys = new ulong[count];
        for (var i = 0; i < count; i++)
        {
            keys[i] = BinaryPrimitives.ReadUInt64LittleEndian(data[(header + (8 * i))..]);
        }

        var vectors = new sbyte[count * dimensions];
        var start = header + (8 * count);
        for (var i = 0; i < vectors.Length; i++)
        {
            vectors[i] = unchecked((sbyte)data[start + i]);
        }

        try
        {
            return new CacheWordVectors(keys, vectors, dimensions);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException("The cache word-vector table is invalid: " + e.Message + " " + Retrain, e);
        }
    }

    private float[] CourtesyCosines()
    {
        var centroid = new float[Dimensions];
        foreach (var word in CourtesyWords)
        {
            var (tokens, _) = CachePairTokenizer.Tokenize(word);
            if (tokens.Length == 1 && IndexOf(tokens[0]) is var index and >= 0)
            {
                AddUnitVector(index, centroid);
            }
        }

        var result = new float[_keys.Length];
        var unit = new float[Dimensions];
        for (var i = 0; i < result.Length; i++)
        {
            var v = Vector(i);
            for (var k = 0; k < v.Length; k++)
            {
                unit[k] = v[k];
            }

            result[i] = Cosine(unit, centroid);
        }

        return result;
    }

    private static CacheWordVectors LoadShipped()
    {
        using var stream = EmbeddedResources.Open(ResourceName);
        return Load(stream);
    }
}
