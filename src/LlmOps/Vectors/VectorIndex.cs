using System.ComponentModel;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmOps.Vectors;

/// <summary>
/// What <see cref="FlatVectorIndex"/> and <see cref="QuantizedVectorIndex"/> share: keyed, scoped storage of
/// normalised vectors, persistence, and a search that names its scope.
/// </summary>
/// <remarks>
/// <para>
/// Entries have a caller-chosen string key and an optional scope (a tenant, say). <see cref="Search(ReadOnlySpan{float}, int, string)"/> reads one
/// scope's rows only, so no other scope's key can come back; <see cref="SearchAllScopes"/> is the one, explicit way
/// to read every scope. Vectors are normalised on insert, so cosine similarity is one dot product. Each scope's rows
/// live in one contiguous row-major store. Removal leaves a tombstone; a scope is compacted automatically once a
/// quarter of its rows are tombstones, and a scope whose last entry is removed is freed (its storage and its slot).
/// </para>
/// <para>
/// Consistency: an index is safe for any number of concurrent readers and writers. Searches take a shared lock and
/// writes an exclusive one, so every search sees the index either before or after each write (linearizable); a
/// search never sees a torn vector or a half-applied update.
/// </para>
/// <para>This class cannot be derived from outside this library.</para>
/// </remarks>
public abstract class VectorIndex : IDisposable
{
    private protected VectorIndex(VectorStore store, ILogger? logger)
    {
        Store = store;
        Logger = logger ?? NullLogger.Instance;
        ScanKernels.EnsureWarm();
    }

    /// <summary>Gets the number of components of every vector in the index.</summary>
    public int Dimensions => Store.Dimensions;

    /// <summary>Gets the number of live entries (removed entries are not counted).</summary>
    public int Count
    {
        get
        {
            Store.Lock.EnterReadLock();
            try
            {
                return Store.LiveCount;
            }
            finally
            {
                Store.Lock.ExitReadLock();
            }
        }
    }

    internal VectorStore Store { get; }

    /// <summary>Where the failures the index absorbs are logged (<c>VectorsLog</c>, EventIds 1500–1599).</summary>
    private protected ILogger Logger { get; }

    /// <summary>The partition slots; only the first <see cref="PartitionCount"/> are in use. Read under the store's lock.</summary>
    internal VectorPartition[] PartitionArray => Store.Partitions;

    internal int PartitionCount => Store.PartitionCount;

    /// <summary>The partitions in use, for tests.</summary>
    internal IReadOnlyList<VectorPartition> Partitions => new ArraySegment<VectorPartition>(Store.Partitions, 0, Store.PartitionCount);

    /// <summary>Gets the number of live entries in one scope.</summary>
    /// <param name="scope">The scope; <see langword="null"/> counts the entries that have no scope.</param>
    /// <returns>The number of live entries in the scope.</returns>
    public int CountInScope(string? scope)
    {
        Store.Lock.EnterReadLock();
        try
        {
            return Store.CountInScope(scope);
        }
        finally
        {
            Store.Lock.ExitReadLock();
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
        if (Write(key, vector, scope, allowReplace: false) is null)
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
    public bool Upsert(string key, ReadOnlySpan<float> vector, string? scope = null) => Write(key, vector, scope, allowReplace: true)!.Value;

    /// <summary>Removes the entry with the given key.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when the entry existed and was removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public bool Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Store.Remove(key);
    }

    /// <summary>Returns whether an entry with the given key exists.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when the key is present.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public bool ContainsKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Store.Lock.EnterReadLock();
        try
        {
            return Store.ContainsKey(key);
        }
        finally
        {
            Store.Lock.ExitReadLock();
        }
    }

    /// <summary>Copies the stored (normalised) vector of an entry.</summary>
    /// <param name="key">The key.</param>
    /// <param name="destination">Receives the vector; must hold at least <see cref="Dimensions"/> values.</param>
    /// <returns><see langword="true"/> when the key exists.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public bool TryGetVector(string key, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (destination.Length < Dimensions)
        {
            throw new ArgumentException($"The destination holds {destination.Length} values but the index has {Dimensions} dimensions.", nameof(destination));
        }

        Store.Lock.EnterReadLock();
        try
        {
            return Store.TryCopyVector(key, destination);
        }
        finally
        {
            Store.Lock.ExitReadLock();
        }
    }

    /// <summary>Removes every entry.</summary>
    public void Clear() => Store.Clear();

    /// <summary>Rewrites every scope without its tombstones. This also happens automatically.</summary>
    public void Compact() => Store.Compact();

    /// <summary>Finds the <paramref name="k"/> entries of one scope most similar to the query.</summary>
    /// <param name="query">The query vector; it need not be normalised.</param>
    /// <param name="k">How many results to return; when it exceeds the scope's count, all its entries are returned.</param>
    /// <param name="scope">
    /// The scope to search; only its rows are read, so no other scope's key can be returned.
    /// <see langword="null"/> searches only the entries that were added without a scope. To read every scope, call
    /// <see cref="SearchAllScopes"/>.
    /// </param>
    /// <returns>The hits in descending score (cosine similarity); equal scores are ordered by ordinal key.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is zero or negative.</exception>
    /// <exception cref="ArgumentException">The query's length differs from <see cref="Dimensions"/>, or it is zero or contains NaN or infinity.</exception>
    public IReadOnlyList<VectorSearchResult> Search(ReadOnlySpan<float> query, int k, string? scope) => Search(query, k, scope, allScopes: false);

    /// <summary>
    /// Finds the <paramref name="k"/> entries most similar to the query across every scope, including the entries
    /// without a scope. In a multi-tenant index this reads every tenant's rows; use <see cref="Search(ReadOnlySpan{float}, int, string)"/> to read one.
    /// </summary>
    /// <param name="query">The query vector; it need not be normalised.</param>
    /// <param name="k">How many results to return; when it exceeds the count, all entries are returned.</param>
    /// <returns>The hits in descending score (cosine similarity); equal scores are ordered by ordinal key.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is zero or negative.</exception>
    /// <exception cref="ArgumentException">The query's length differs from <see cref="Dimensions"/>, or it is zero or contains NaN or infinity.</exception>
    public IReadOnlyList<VectorSearchResult> SearchAllScopes(ReadOnlySpan<float> query, int k) => Search(query, k, scope: null, allScopes: true);

    /// <summary>Removed: a search without a scope read every scope. Name the scope, or call <see cref="SearchAllScopes"/>.</summary>
    /// <param name="query">The query vector.</param>
    /// <param name="k">How many results to return.</param>
    /// <returns>Never returns; calls do not compile.</returns>
    [Obsolete("Search(query, k) read every scope, which in a multi-tenant index is a cross-tenant read. Call Search(query, k, scope) for one scope, or SearchAllScopes(query, k) to read every scope.", error: true)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public IReadOnlyList<VectorSearchResult> Search(ReadOnlySpan<float> query, int k) => SearchAllScopes(query, k);

    /// <summary>Writes the index to a stream in the documented binary format (float32 rows).</summary>
    /// <param name="destination">A writable stream; it is not closed.</param>
    /// <remarks>Writes wait while the index is being saved; searches continue.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    public void Save(Stream destination) => VectorIndexFile.Save(Store, destination);

    /// <summary>Saves the index to a file atomically: it writes a temporary file in the same folder, then renames it.</summary>
    /// <param name="path">The file path; an existing file is replaced only once the new one is complete.</param>
    /// <remarks>
    /// If the save fails, the temporary file is deleted and the failure rethrown; if that delete fails too, the
    /// save's exception is still the one thrown, and the leftover file is logged (EventId 1500).
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="IOException">The file cannot be written or renamed.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or file is not writable.</exception>
    public void SaveToFile(string path) => VectorIndexFile.SaveToFile(Store, path, Logger);

    /// <summary>
    /// Replaces the contents of this index with an index read from a stream. The data is read and verified in full
    /// first; if it is invalid, this index is left unchanged.
    /// </summary>
    /// <param name="source">A readable stream positioned at the start of the saved index.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="VectorIndexFormatException">
    /// The data is truncated, corrupted, of an unsupported version, or has a different dimension from this index.
    /// </exception>
    public void ReplaceFrom(Stream source)
    {
        using VectorStore loaded = VectorIndexFile.Load(source, Store.Quantized, Dimensions);
        Store.ReplaceWith(loaded);
    }

    /// <summary>Releases the index's lock. Searches and writes after disposal throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        Store.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Scores the rows of <paramref name="range"/>; called under the read lock with a validated query.</summary>
    /// <param name="query">The query as given (not normalised).</param>
    /// <param name="inverseNorm">1 / the query's norm.</param>
    /// <param name="k">How many results to return; at most <paramref name="live"/>.</param>
    /// <param name="range">The partitions to read; not empty.</param>
    /// <param name="live">The live rows in <paramref name="range"/>; positive.</param>
    private protected abstract VectorSearchResult[] SearchCore(ReadOnlySpan<float> query, float inverseNorm, int k, PartitionRange range, int live);

    /// <summary>Throws unless <paramref name="vector"/> has <see cref="Dimensions"/> components.</summary>
    private protected void RequireDimensions(ReadOnlySpan<float> vector, string paramName)
    {
        if (vector.Length != Dimensions)
        {
            throw new ArgumentException($"The vector has {vector.Length} dimensions but the index holds {Dimensions}-dimensional vectors. Use the same embedding model for indexing and querying.", paramName);
        }
    }

    /// <summary>Counts the live rows of a range; call under the read lock.</summary>
    private protected int LiveRows(PartitionRange range)
    {
        int live = 0;
        for (int i = range.First; i < range.End; i++)
        {
            live += Store.Partitions[i].LiveCount;
        }

        return live;
    }

    private IReadOnlyList<VectorSearchResult> Search(ReadOnlySpan<float> query, int k, string? scope, bool allScopes)
    {
        RequireDimensions(query, nameof(query));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        float inverseNorm = VectorMath.InverseNorm(query, nameof(query));

        Store.Lock.EnterReadLock();
        try
        {
            PartitionRange range = Store.Select(scope, allScopes);
            int live = LiveRows(range);
            return live == 0 ? [] : SearchCore(query, inverseNorm, Math.Min(k, live), range, live);
        }
        finally
        {
            Store.Lock.ExitReadLock();
        }
    }

    private bool? Write(string key, ReadOnlySpan<float> vector, string? scope, bool allowReplace)
    {
        ArgumentNullException.ThrowIfNull(key);
        RequireDimensions(vector, nameof(vector));
        float inv = VectorMath.InverseNorm(vector, nameof(vector));
        float[]? rented = null;
        Span<float> normalized = Dimensions <= 512 ? stackalloc float[Dimensions] : (rented = System.Buffers.ArrayPool<float>.Shared.Rent(Dimensions)).AsSpan(0, Dimensions);
        try
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(vector, inv, normalized);
            return Store.Write(key, normalized, scope, allowReplace);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<float>.Shared.Return(rented);
            }
        }
    }
}
