using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;

namespace LlmOps.Caching;

/// <summary>
/// A compact table of WordNet relations for the pair check (<see cref="CachePairFeatures"/>): for two differing words,
/// whether they are synonyms, derived forms, adjectives of one cluster, antonyms, hypernym and hyponym, or co-hyponyms
/// (<see cref="CacheWordRelation"/>). Keyed by the stem hash that <see cref="CachePairTokenizer"/> stores in each token,
/// so it needs neither the question's text nor WordNet at run time.
/// </summary>
/// <remarks>
/// <para>
/// The shipped table (<c>CacheWordRelations.bin</c>, embedded) is built by <c>tools/LlmOps.Caching.Training</c>
/// (<c>relations</c>) from Princeton WordNet 3.0 (Debian's <c>wordnet-base</c>; see THIRD-PARTY-NOTICES.md) for the
/// whole words of MiniLM's WordPiece vocabulary (a frequency-bounded vocabulary): per stem, the synsets of its most
/// frequent senses, its adjective clusters, the synsets it is derived from or to, its antonyms' synsets and clusters,
/// and its hypernyms one and two levels up. An id that only one stem holds can relate nothing and is dropped.
/// </para>
/// <para>
/// File format (little-endian): the 8 ASCII bytes <c>LLMOPSWR</c>, format version (int32), stem count (int32), value count
/// (int32); the keys (uint64 each, strictly ascending: the 56-bit stem hashes); per stem the offset of its first value
/// (int32 each, then one more: the value count); the values (uint32 each, ascending within a stem: the kind in the top 3
/// bits, a dense synset id below); then the XxHash64 of everything before it.
/// </para>
/// <para>Thread-safe: read-only after loading; lookups allocate nothing.</para>
/// </remarks>
internal sealed class CacheWordRelations
{
    /// <summary>The name of the embedded resource that holds the shipped table.</summary>
    public const string ResourceName = "LlmOps.Caching.CacheWordRelations.bin";

    /// <summary>A value's kind: a synset of one of the stem's senses.</summary>
    public const uint SenseKind = 0;

    /// <summary>A value's kind: the head synset of an adjective cluster the stem is in.</summary>
    public const uint ClusterKind = 1;

    /// <summary>A value's kind: a synset the stem is derived from or to.</summary>
    public const uint DerivedKind = 2;

    /// <summary>A value's kind: an antonym's synset or cluster head.</summary>
    public const uint AntonymKind = 3;

    /// <summary>A value's kind: a hypernym one or two levels above one of the stem's senses.</summary>
    public const uint AncestorKind = 4;

    /// <summary>The number of value kinds (<see cref="SenseKind"/> to <see cref="AncestorKind"/>).</summary>
    private const int KindCount = 5;

    /// <summary>The bits below the kind.</summary>
    public const int KindShift = 29;

    private const uint IdMask = (1u << KindShift) - 1;
    private const int FormatVersion = 1;
    private const int HeaderLength = 8 + 12;
    private const string Rebuild = "Rebuild it with tools/LlmOps.Caching.Training (relations).";
    private static readonly byte[] Magic = "LLMOPSWR"u8.ToArray();
    private static readonly Lazy<CacheWordRelations> Shipped = new(LoadShipped, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly ulong[] _keys;
    private readonly int[] _offsets;
    private readonly uint[] _values;
    private readonly CacheStemIndex _index;

    // Per entry, where the runs of kinds 1 to 4 start within its values (16 bits each): Relate reads the runs without
    // scanning for their bounds on every call.
    private readonly ulong[] _kindStarts;

    /// <summary>Initializes a new instance of the <see cref="CacheWordRelations"/> class.</summary>
    /// <param name="keys">The stem hashes, strictly ascending (copied).</param>
    /// <param name="offsets">Per key the offset of its first value, then the value count (copied).</param>
    /// <param name="values">The values, ascending within each key (copied).</param>
    /// <exception cref="ArgumentException">The keys are not strictly ascending, or the offsets or values are out of order.</exception>
    public CacheWordRelations(ReadOnlySpan<ulong> keys, ReadOnlySpan<int> offsets, ReadOnlySpan<uint> values)
    {
        if (offsets.Length != keys.Length + 1 || offsets[0] != 0 || offsets[^1] != values.Length)
        {
            throw new ArgumentException($"{keys.Length} keys need {keys.Length + 1} offsets from 0 to the value count {values.Length}.", nameof(offsets));
        }

        for (var i = 0; i < keys.Length; i++)
        {
            if (i > 0 && keys[i] <= keys[i - 1])
            {
                throw new ArgumentException($"The word-relation keys must be strictly ascending; key {i} is not.", nameof(keys));
            }

            if (offsets[i + 1] < offsets[i])
            {
                throw new ArgumentException($"The word-relation offsets must not decrease; offset {i + 1} does.", nameof(offsets));
            }

            for (var k = offsets[i] + 1; k < offsets[i + 1]; k++)
            {
                if (values[k] <= values[k - 1])
                {
                    throw new ArgumentException($"The values of key {i} must be strictly ascending.", nameof(values));
                }
            }
        }

        _keys = keys.ToArray();
        _offsets = offsets.ToArray();
        _values = values.ToArray();
        _index = new CacheStemIndex(_keys);
        _kindStarts = new ulong[keys.Length];
        Span<int> bounds = stackalloc int[KindCount + 1];
        for (var i = 0; i < keys.Length; i++)
        {
            var entry = Values(i);
            if (entry.Length > ushort.MaxValue)
            {
                throw new ArgumentException($"Key {i} has {entry.Length} values; a stem may have at most {ushort.MaxValue}.", nameof(values));
            }

            Bounds(entry, bounds);
            for (var kind = 1; kind < KindCount; kind++)
            {
                _kindStarts[i] |= (ulong)bounds[kind] << (16 * (kind - 1));
            }
        }
    }

    /// <summary>Gets the table shipped in the assembly.</summary>
    public static CacheWordRelations Default => Shipped.Value;

    /// <summary>Gets the number of stems in the table.</summary>
    public int Count => _keys.Length;

    /// <summary>Gets the number of values in the table.</summary>
    public int ValueCount => _values.Length;

    /// <summary>Finds the entry of a token's stem.</summary>
    /// <param name="token">A token of <see cref="CachePairTokenizer"/> (its class bits are ignored).</param>
    /// <returns>The entry's index, or -1 when the stem is not in the table.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int IndexOf(ulong token)
        => _index.IndexOf(CachePairTokenizer.StemOf(token));

    /// <summary>How two entries relate.</summary>
    /// <param name="a">An index from <see cref="IndexOf"/>.</param>
    /// <param name="b">Another index from <see cref="IndexOf"/>.</param>
    /// <returns>Every relation that holds; <see cref="CacheWordRelation.Synonym"/> for an entry with itself.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public CacheWordRelation Relate(int a, int b)
    {
        if (a == b)
        {
            return CacheWordRelation.Synonym;
        }

        var va = Values(a);
        var vb = Values(b);
        var ka = _kindStarts[a];
        var kb = _kindStarts[b];
        var senseA = va[..Start(ka, ClusterKind)];
        var senseB = vb[..Start(kb, ClusterKind)];
        var clusterA = va[Start(ka, ClusterKind)..Start(ka, DerivedKind)];
        var clusterB = vb[Start(kb, ClusterKind)..Start(kb, DerivedKind)];
        var derivedA = va[Start(ka, DerivedKind)..Start(ka, AntonymKind)];
        var derivedB = vb[Start(kb, DerivedKind)..Start(kb, AntonymKind)];
        var antonymA = va[Start(ka, AntonymKind)..Start(ka, AncestorKind)];
        var antonymB = vb[Start(kb, AntonymKind)..Start(kb, AncestorKind)];
        var ancestorA = va[Start(ka, AncestorKind)..];
        var ancestorB = vb[Start(kb, AncestorKind)..];
        var relation = CacheWordRelation.None;
        if (Intersects(senseA, senseB))
        {
            relation |= CacheWordRelation.Synonym;
        }

        if (Intersects(derivedA, senseB) || Intersects(derivedB, senseA))
        {
            relation |= CacheWordRelation.Derived;
        }

        if (Intersects(clusterA, clusterB))
        {
            relation |= CacheWordRelation.Similar;
        }

        if (Intersects(antonymA, senseB) || Intersects(antonymA, clusterB) || Intersects(antonymB, senseA) || Intersects(antonymB, clusterA))
        {
            relation |= CacheWordRelation.Antonym;
        }

        if (Intersects(senseA, ancestorB) || Intersects(senseB, ancestorA))
        {
            relation |= CacheWordRelation.Hypernym;
        }

        if ((relation & CacheWordRelation.Synonym) == 0 && Intersects(ancestorA, ancestorB))
        {
            relation |= CacheWordRelation.CoHyponym;
        }

        return relation;
    }

    /// <summary>Gets an entry's values (kind in the top bits), ascending.</summary>
    /// <param name="index">An index from <see cref="IndexOf"/>.</param>
    /// <returns>The values.</returns>
    public ReadOnlySpan<uint> Values(int index) => _values.AsSpan(_offsets[index], _offsets[index + 1] - _offsets[index]);

    /// <summary>Writes the table in the shipped file format.</summary>
    /// <param name="destination">Where to write.</param>
    public void Save(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var length = HeaderLength + (8 * _keys.Length) + (4 * _offsets.Length) + (4 * _values.Length);
        var buffer = new byte[length + 8];
        var span = buffer.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], _keys.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], _values.Length);
        var offset = HeaderLength;
        foreach (var key in _keys)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span[offset..], key);
            offset += 8;
        }

        foreach (var o in _offsets)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[offset..], o);
            offset += 4;
        }

        foreach (var v in _values)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span[offset..], v);
            offset += 4;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(span[length..], XxHash64.HashToUInt64(span[..length]));
        destination.Write(buffer);
    }

    /// <summary>Reads a table written by <see cref="Save"/>.</summary>
    /// <param name="source">Where to read.</param>
    /// <returns>The table.</returns>
    /// <exception cref="InvalidDataException">The data is not a word-relation table of this version, or is damaged.</exception>
    public static CacheWordRelations Load(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var memory = new MemoryStream();
        source.CopyTo(memory);
        var data = memory.GetBuffer().AsSpan(0, (int)memory.Length);
        if (data.Length < HeaderLength + 8 || !data[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException("This is not a cache word-relation table (the LLMOPSWR header is missing). " + Rebuild);
        }

        var body = data[..^8];
        if (XxHash64.HashToUInt64(body) != BinaryPrimitives.ReadUInt64LittleEndian(data[^8..]))
        {
            throw new InvalidDataException("The cache word-relation table is damaged (its checksum does not match). " + Rebuild);
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(data[8..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(data[12..]);
        var valueCount = BinaryPrimitives.ReadInt32LittleEndian(data[16..]);
        if (version != FormatVersion || count < 0 || valueCount < 0
            || body.Length != HeaderLength + (8L * count) + (4L * (count + 1)) + (4L * valueCount))
        {
            throw new InvalidDataException($"The cache word-relation table has format {version} ({count} stems, {valueCount} values, {body.Length} bytes); this library reads format {FormatVersion}. " + Rebuild);
        }

        var keys = new ulong[count];
        var offsets = new int[count + 1];
        var values = new uint[valueCount];
        var offset = HeaderLength;
        for (var i = 0; i < keys.Length; i++, offset += 8)
        {
            keys[i] = BinaryPrimitives.ReadUInt64LittleEndian(data[offset..]);
        }

        for (var i = 0; i < offsets.Length; i++, offset += 4)
        {
            offsets[i] = BinaryPrimitives.ReadInt32LittleEndian(data[offset..]);
        }

        for (var i = 0; i < values.Length; i++, offset += 4)
        {
            values[i] = BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);
        }

        try
        {
            return new CacheWordRelations(keys, offsets, values);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException("The cache word-relation table is invalid: " + e.Message + " " + Rebuild, e);
        }
    }

    /// <summary>Where the run of <paramref name="kind"/> (1 to 4) starts, from an entry's packed starts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Start(ulong starts, uint kind) => (int)((starts >> (16 * ((int)kind - 1))) & 0xFFFF);

    /// <summary>Where each kind's run starts within an entry's ascending values (one pass; the last bound is the end).</summary>
    private static void Bounds(ReadOnlySpan<uint> values, Span<int> bounds)
    {
        var i = 0;
        for (var kind = 0; kind <= KindCount; kind++)
        {
            var low = (uint)kind << KindShift;
            while (i < values.Length && kind < KindCount && values[i] < low)
            {
                i++;
            }

            bounds[kind] = kind == KindCount ? values.Length : i;
        }
    }

    /// <summary>Whether two ascending runs share a synset id (the kind bits are ignored).</summary>
    private static bool Intersects(ReadOnlySpan<uint> x, ReadOnlySpan<uint> y)
    {
        // Most runs are empty or hold ids far apart: no merge for them.
        if (x.IsEmpty || y.IsEmpty || (x[^1] & IdMask) < (y[0] & IdMask) || (y[^1] & IdMask) < (x[0] & IdMask))
        {
            return false;
        }

        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            var a = x[i] & IdMask;
            var b = y[j] & IdMask;
            if (a == b)
            {
                return true;
            }

            if (a < b)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return false;
    }

    private static CacheWordRelations LoadShipped()
    {
        using var stream = EmbeddedResources.Open(ResourceName);
        return Load(stream);
    }
}
