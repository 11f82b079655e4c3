namespace LlmOps.Vectors;

/// <summary>
/// An in-memory exact nearest-neighbour index over normalised float32 vectors, searched by cosine similarity.
/// Entries have a caller-chosen string key and an optional scope (a tenant, say); a scoped search touches only
/// that scope's rows.
/// </summary>
/// <remarks>
/// <para>
/// Vectors are normalised on insert, so cosine similarity is one dot product. Each scope's rows live in one
/// contiguous row-major store. Removal leaves a tombstone; a scope is compacted automatically once a quarter of its
/// rows are tombstones, and a scope whose last entry is removed is freed (its storage and its slot).
/// </para>
/// <para>
/// Consistency: the index is safe for any number of concurrent readers and writers. Searches take a shared lock
/// and writes an exclusive one, so every search sees the index either before or after each write (linearizable);
/// a search never sees a torn vector or a half-applied update. Searches over more than 32 MB of rows are
/// split across cores.
/// </para>
/// </remarks>
public sealed partial class FlatVectorIndex : IDisposable
{
    /// <summary>
    /// The row bytes above which one search is split across cores: 32 MB, about 21,800 rows of 384 floats.
    /// </summary>
    /// <remarks>
    /// Measured on 2 shared cores (VectorParallelThresholdBenchmark, three runs, benchmarks/results/VectorSearchBenchmark.md,
    /// "Parallel threshold"), split / one-thread time at 384 dimensions was: 4k rows (6 MB) 1.07-1.20, a loss in every
    /// run; 1k, 10k and 20k rows (1.5-31 MB) 0.30-2.69, a loss while other agents kept the second core busy and a win
    /// while it was idle; 30k rows (46 MB) and more 0.44-0.88, a win in every run. The fork/join costs microseconds and
    /// 2 KB, and on a busy server the other core is rarely free, so small scans (a semantic cache partition, say) stay
    /// on the calling thread.
    /// </remarks>
    internal const long DefaultParallelThresholdBytes = 32L << 20;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<string, Location> _locations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, VectorPartition> _scopes = new(StringComparer.Ordinal);
    private readonly bool _quantized;
    private VectorPartition[] _parts; // slots [0, _partCount) are in use
    private int _partCount;
    private VectorPartition? _unscopedPart;
    private int _maxDegreeOfParallelism = Environment.ProcessorCount;

    /// <summary>Initializes a new, empty index for vectors of the given dimension.</summary>
    /// <param name="dimensions">The number of components of every vector; must be positive.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimensions"/> is zero or negative.</exception>
    public FlatVectorIndex(int dimensions)
        : this(dimensions, quantized: false)
    {
    }

    internal FlatVectorIndex(int dimensions, bool quantized)
    {
        if (dimensions <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "The vector dimension must be positive, for example 384 for all-MiniLM-L6-v2.");
        }

        Dimensions = dimensions;
        _quantized = quantized;
        ScanKernels.EnsureWarm();
        _parts = [];
    }

    /// <summary>Gets the number of components of every vector in the index.</summary>
    public int Dimensions { get; }

    /// <summary>Gets the number of live entries (removed entries are not counted).</summary>
    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _locations.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>
    /// Gets or sets how many cores one search over more than 32 MB of rows (about 21,800 × 384 floats) may use.
    /// </summary>
    /// <value>The default value is <see cref="Environment.ProcessorCount"/>; 1 keeps every search on the calling thread.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxDegreeOfParallelism = value;
        }
    }

    /// <summary>Gets or sets the split threshold; only benchmarks and tests change it (0 splits every search).</summary>
    internal long ParallelThresholdBytes { get; set; } = DefaultParallelThresholdBytes;

    internal ReaderWriterLockSlim Lock => _lock;

    /// <summary>The partition slots; only the first <see cref="PartitionCount"/> are in use. Read under <see cref="Lock"/>.</summary>
    internal VectorPartition[] PartitionArray => _parts;

    internal int PartitionCount => _partCount;

    /// <summary>The partitions in use, for tests.</summary>
    internal IReadOnlyList<VectorPartition> Partitions => new ArraySegment<VectorPartition>(_parts, 0, _partCount);

    /// <summary>Gets the number of live entries in one scope.</summary>
    /// <param name="scope">The scope; <see langword="null"/> counts the entries that have no scope.</param>
    /// <returns>The number of live entries in the scope.</returns>
    public int CountInScope(string? scope)
    {
        _lock.EnterReadLock();
        try
        {
            return FindPartition(scope)?.LiveCount ?? 0;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Adds a new entry.</summary>
    /// <param name="key">The entry's unique key (ordinal comparison).</param>
    /// <param name="vector">The vector; it is copied and normalised.</param>
    /// <param name="scope">The scope the entry belongs to, or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The key already exists, the vector's length differs from <see cref="Dimensions"/>, or the vector is zero or contains NaN or infinity.
    /// </exception>
    public void Add(string key, ReadOnlySpan<float> vector, string? scope = null)
    {
        if (!Write(key, vector, scope, allowReplace: false))
        {
            throw new ArgumentException($"An entry with key '{key}' already exists. Use Upsert to replace it, or Remove it first.", nameof(key));
        }
    }

    /// <summary>Adds an entry, or replaces the vector and scope of an existing entry with the same key.</summary>
    /// <param name="key">The entry's unique key (ordinal comparison).</param>
    /// <param name="vector">The vector; it is copied and normalised.</param>
    /// <param name="scope">The scope the entry belongs to, or <see langword="null"/> for none.</param>
    /// <returns><see langword="true"/> when a new entry was added; <see langword="false"/> when an existing one was replaced.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">The vector's length differs from <see cref="Dimensions"/>, or it is zero or contains NaN or infinity.</exception>
    public bool Upsert(string key, ReadOnlySpan<float> vector, string? scope = null) => Write(key, vector, scope, allowReplace: true);

    /// <summary>Adds a vector that is already unit length (as read back from a saved index) without rescaling it.</summary>
    internal void AddNormalized(string key, ReadOnlySpan<float> vector, string? scope)
    {
        if (!Write(key, vector, scope, allowReplace: false, normalize: false))
        {
            throw new ArgumentException($"An entry with key '{key}' appears twice.", nameof(key));
        }
    }

    /// <summary>Removes the entry with the given key.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when the entry existed and was removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public bool Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _lock.EnterWriteLock();
        try
        {
            if (!_locations.Remove(key, out Location loc))
            {
                return false;
            }

            RemoveRow(loc);
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Returns whether an entry with the given key exists.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when the key is present.</returns>
    public bool ContainsKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _lock.EnterReadLock();
        try
        {
            return _locations.ContainsKey(key);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Copies the stored (normalised) vector of an entry.</summary>
    /// <param name="key">The key.</param>
    /// <param name="destination">Receives the vector; must hold at least <see cref="Dimensions"/> values.</param>
    /// <returns><see langword="true"/> when the key exists.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public bool TryGetVector(string key, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (destination.Length < Dimensions)
        {
            throw new ArgumentException($"The destination holds {destination.Length} values but the index has {Dimensions} dimensions.", nameof(destination));
        }

        _lock.EnterReadLock();
        try
        {
            if (!_locations.TryGetValue(key, out Location loc))
            {
                return false;
            }

            loc.Part.Row(loc.Row).CopyTo(destination);
            return true;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Removes every entry.</summary>
    public void Clear()
    {
        _lock.EnterWriteLock();
        try
        {
            _locations.Clear();
            _scopes.Clear();
            _parts = [];
            _partCount = 0;
            _unscopedPart = null;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Rewrites every scope without its tombstones. This also happens automatically.</summary>
    public void Compact()
    {
        _lock.EnterWriteLock();
        try
        {
            for (int i = 0; i < _partCount; i++)
            {
                CompactPart(_parts[i]);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Finds the <paramref name="k"/> entries most similar to the query across all scopes.</summary>
    /// <param name="query">The query vector; it need not be normalised.</param>
    /// <param name="k">How many results to return; when it exceeds the count, all entries are returned.</param>
    /// <returns>The hits in descending score; equal scores are ordered by ordinal key.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is zero or negative.</exception>
    /// <exception cref="ArgumentException">The query's length differs from <see cref="Dimensions"/>, or it is zero or contains NaN or infinity.</exception>
    public IReadOnlyList<VectorSearchResult> Search(ReadOnlySpan<float> query, int k) => Search(query, k, scope: null, allScopes: true);

    /// <summary>Finds the <paramref name="k"/> entries of one scope most similar to the query.</summary>
    /// <param name="query">The query vector; it need not be normalised.</param>
    /// <param name="k">How many results to return; when it exceeds the scope's count, all its entries are returned.</param>
    /// <param name="scope">
    /// The scope to search; only its rows are read, so no other scope's key can be returned.
    /// <see langword="null"/> searches only the entries that were added without a scope.
    /// </param>
    /// <returns>The hits in descending score; equal scores are ordered by ordinal key.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is zero or negative.</exception>
    /// <exception cref="ArgumentException">The query's length differs from <see cref="Dimensions"/>, or it is zero or contains NaN or infinity.</exception>
    public IReadOnlyList<VectorSearchResult> Search(ReadOnlySpan<float> query, int k, string? scope) => Search(query, k, scope, allScopes: false);

    /// <summary>
    /// Searches several queries in one pass over the rows, so each row is read from memory once for all of them.
    /// </summary>
    /// <param name="queries">The queries, concatenated: <c>queryCount × Dimensions</c> values.</param>
    /// <param name="k">How many results to return per query.</param>
    /// <returns>One result list per query, in query order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is zero or negative.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="queries"/> is not a positive multiple of <see cref="Dimensions"/>, or a query is zero or not finite.</exception>
    public IReadOnlyList<VectorSearchResult>[] SearchBatch(ReadOnlySpan<float> queries, int k) => SearchBatch(queries, k, null, allScopes: true);

    /// <summary>Searches several queries within one scope in one pass over that scope's rows.</summary>
    /// <param name="queries">The queries, concatenated: <c>queryCount × Dimensions</c> values.</param>
    /// <param name="k">How many results to return per query.</param>
    /// <param name="scope">The scope to search; <see langword="null"/> searches the entries without a scope.</param>
    /// <returns>One result list per query, in query order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is zero or negative.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="queries"/> is not a positive multiple of <see cref="Dimensions"/>, or a query is zero or not finite.</exception>
    public IReadOnlyList<VectorSearchResult>[] SearchBatch(ReadOnlySpan<float> queries, int k, string? scope) => SearchBatch(queries, k, scope, allScopes: false);

    /// <inheritdoc/>
    public void Dispose() => _lock.Dispose();

    private IReadOnlyList<VectorSearchResult> Search(ReadOnlySpan<float> query, int k, string? scope, bool allScopes)
    {
        ValidateQuery(query, nameof(query));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        float invNorm = VectorMath.InverseNorm(query, nameof(query));

        _lock.EnterReadLock();
        try
        {
            VectorPartition[] parts = _parts;
            int first = 0, last = _partCount;
            if (!allScopes)
            {
                first = FindPart(scope);
                if (first < 0)
                {
                    return [];
                }

                last = first + 1;
            }

            long rows = 0;
            int live = 0;
            for (int i = first; i < last; i++)
            {
                rows += parts[i].RowCount;
                live += parts[i].LiveCount;
            }

            if (live == 0)
            {
                return [];
            }

            var heap = new TopK(Math.Min(k, live), parts);
            try
            {
                if (rows * Dimensions * sizeof(float) > ParallelThresholdBytes && _maxDegreeOfParallelism > 1 && rows > 1)
                {
                    ParallelScan(parts, first, last, rows, query, ref heap);
                }
                else
                {
                    for (int i = first; i < last; i++)
                    {
                        ScanKernels.ScanFloat(parts[i], i, 0, parts[i].RowCount, query, ref heap);
                    }
                }

                return ToResults(ref heap, parts, invNorm);
            }
            finally
            {
                heap.Dispose();
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private void ParallelScan(VectorPartition[] parts, int first, int last, long rows, ReadOnlySpan<float> query, ref TopK heap)
    {
        // Each chunk gets at least half the threshold, so a search just above it splits in two, not in DOP pieces.
        long bytesPerChunk = Math.Max(1, ParallelThresholdBytes / 2);
        int chunks = (int)Math.Min(Math.Min(_maxDegreeOfParallelism, rows), Math.Max(2, rows * Dimensions * sizeof(float) / bytesPerChunk));
        float[] q = System.Buffers.ArrayPool<float>.Shared.Rent(query.Length);
        var heaps = new TopK[chunks];
        try
        {
            query.CopyTo(q);
            int capacity = heap.Capacity;
            Parallel.For(0, chunks, c =>
            {
                heaps[c] = new TopK(capacity, parts);
                long from = rows * c / chunks, to = rows * (c + 1) / chunks;
                long offset = 0;
                ReadOnlySpan<float> qs = q.AsSpan(0, Dimensions);
                for (int i = first; i < last && offset < to; i++)
                {
                    int n = parts[i].RowCount;
                    long s = Math.Max(from, offset), e = Math.Min(to, offset + n);
                    if (s < e)
                    {
                        ScanKernels.ScanFloat(parts[i], i, (int)(s - offset), (int)(e - offset), qs, ref heaps[c]);
                    }

                    offset += n;
                }
            });

            for (int c = 0; c < chunks; c++)
            {
                heap.Merge(ref heaps[c]);
            }
        }
        finally
        {
            for (int c = 0; c < chunks; c++)
            {
                heaps[c].Dispose();
            }

            System.Buffers.ArrayPool<float>.Shared.Return(q);
        }
    }

    private IReadOnlyList<VectorSearchResult>[] SearchBatch(ReadOnlySpan<float> queries, int k, string? scope, bool allScopes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (queries.IsEmpty || queries.Length % Dimensions != 0)
        {
            throw new ArgumentException($"The queries span holds {queries.Length} values, which is not a positive multiple of the index dimension {Dimensions}. Concatenate whole query vectors.", nameof(queries));
        }

        int count = queries.Length / Dimensions;
        float[] invNorms = new float[count];
        for (int i = 0; i < count; i++)
        {
            invNorms[i] = VectorMath.InverseNorm(queries.Slice(i * Dimensions, Dimensions), nameof(queries));
        }

        var results = new IReadOnlyList<VectorSearchResult>[count];
        _lock.EnterReadLock();
        try
        {
            VectorPartition[] parts = _parts;
            int first = 0, last = _partCount;
            if (!allScopes)
            {
                first = FindPart(scope);
                last = first < 0 ? 0 : first + 1;
                first = Math.Max(first, 0);
            }

            int live = 0;
            for (int i = first; i < last; i++)
            {
                live += parts[i].LiveCount;
            }

            if (live == 0)
            {
                Array.Fill(results, []);
                return results;
            }

            var heaps = new TopK[count];
            try
            {
                for (int i = 0; i < count; i++)
                {
                    heaps[i] = new TopK(Math.Min(k, live), parts);
                }

                for (int i = first; i < last; i++)
                {
                    ScanKernels.ScanFloatBatch(parts[i], i, 0, parts[i].RowCount, queries, count, heaps);
                }

                for (int i = 0; i < count; i++)
                {
                    results[i] = ToResults(ref heaps[i], parts, invNorms[i]);
                }
            }
            finally
            {
                for (int i = 0; i < count; i++)
                {
                    heaps[i].Dispose();
                }
            }

            return results;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    internal static VectorSearchResult[] ToResults(ref TopK heap, VectorPartition[] parts, float scale)
    {
        int n = heap.Count;
        Span<Candidate> sorted = n <= 128 ? stackalloc Candidate[n] : new Candidate[n];
        heap.DrainDescending(sorted);
        var results = new VectorSearchResult[n];
        for (int i = 0; i < n; i++)
        {
            Candidate c = sorted[i];
            VectorPartition p = parts[c.Part];
            results[i] = new VectorSearchResult(p.Keys[c.Row]!, Math.Clamp(c.Score * scale, -1f, 1f), p.Scope);
        }

        return results;
    }

    internal void ValidateQuery(ReadOnlySpan<float> vector, string paramName)
    {
        if (vector.Length != Dimensions)
        {
            throw new ArgumentException($"The vector has {vector.Length} dimensions but the index holds {Dimensions}-dimensional vectors. Use the same embedding model for indexing and querying.", paramName);
        }
    }

    private bool Write(string key, ReadOnlySpan<float> vector, string? scope, bool allowReplace, bool normalize = true)
    {
        ArgumentNullException.ThrowIfNull(key);
        ValidateQuery(vector, nameof(vector));
        float inv = VectorMath.InverseNorm(vector, nameof(vector));
        float[]? rented = null;
        Span<float> normalized = Dimensions <= 512 ? stackalloc float[Dimensions] : (rented = System.Buffers.ArrayPool<float>.Shared.Rent(Dimensions)).AsSpan(0, Dimensions);
        try
        {
            if (normalize)
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(vector, inv, normalized);
            }
            else
            {
                vector.CopyTo(normalized);
            }

            _lock.EnterWriteLock();
            try
            {
                bool exists = _locations.TryGetValue(key, out Location loc);
                if (exists && !allowReplace)
                {
                    return false;
                }

                if (exists && string.Equals(loc.Part.Scope, scope, StringComparison.Ordinal))
                {
                    loc.Part.Write(loc.Row, key, normalized);
                    return false;
                }

                if (exists)
                {
                    RemoveRow(loc);
                }

                VectorPartition part = FindPartition(scope) ?? AddPart(scope);
                int row = part.Append(key, normalized);
                _locations[key] = new Location(part, row);
                return !exists;
            }
            finally
            {
                _lock.ExitWriteLock();
            }
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<float>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Returns the position of the scope's partition in <see cref="Partitions"/>, or -1 when it has no entries.</summary>
    internal int FindPart(string? scope) => FindPartition(scope)?.Index ?? -1;

    private VectorPartition? FindPartition(string? scope)
    {
        if (scope is null)
        {
            return _unscopedPart;
        }

        return _scopes.TryGetValue(scope, out VectorPartition? p) ? p : null;
    }

    private VectorPartition AddPart(string? scope)
    {
        // Slots change only under the write lock, when no search runs, so they are updated in place (a copy per new
        // scope would cost O(scopes), and a semantic cache makes a scope per partition).
        if (_partCount == _parts.Length)
        {
            Array.Resize(ref _parts, Math.Max(4, _parts.Length * 2));
        }

        var part = new VectorPartition(scope, Dimensions, _quantized) { Index = _partCount };
        _parts[_partCount++] = part;
        if (scope is null)
        {
            _unscopedPart = part;
        }
        else
        {
            _scopes[scope] = part;
        }

        return part;
    }

    /// <summary>
    /// Frees a scope whose last entry was removed. The last partition moves into its slot, so this is O(1) however
    /// many scopes there are: keys point at partitions, not slots, and need no update.
    /// </summary>
    private void RemovePart(VectorPartition part)
    {
        int index = part.Index;
        int last = --_partCount;
        if (index != last)
        {
            VectorPartition moved = _parts[last];
            moved.Index = index;
            _parts[index] = moved;
        }

        _parts[last] = null!;
        part.Index = -1;
        if (part.Scope is null)
        {
            _unscopedPart = null;
        }
        else
        {
            _scopes.Remove(part.Scope);
        }

        if (_parts.Length > 16 && _partCount * 4 <= _parts.Length)
        {
            Array.Resize(ref _parts, _parts.Length / 2);
        }
    }

    private void RemoveRow(Location loc)
    {
        VectorPartition p = loc.Part;
        p.Tombstone(loc.Row);
        if (p.LiveCount == 0)
        {
            RemovePart(p);
        }
        else if (p.Tombstones * 4 >= p.RowCount)
        {
            CompactPart(p);
        }
    }

    private void CompactPart(VectorPartition p)
    {
        if (p.Tombstones == 0)
        {
            return;
        }

        p.Compact((key, row) => _locations[key] = new Location(p, row));
    }

    internal readonly record struct Location(VectorPartition Part, int Row);
}
