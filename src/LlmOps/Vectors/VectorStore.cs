namespace LlmOps.Vectors;

/// <summary>
/// The storage behind both indexes: keys, scopes and their row partitions, under one reader/writer lock. It knows
/// nothing about search or files; <see cref="VectorIndex"/> searches it and <see cref="VectorIndexFile"/> persists it.
/// </summary>
/// <remarks>
/// Searches hold <see cref="Lock"/> for reading while they read <see cref="Partitions"/>; every write here takes it
/// for writing, so a search sees the store either before or after each write, never a torn vector.
/// </remarks>
internal sealed class VectorStore : IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private Dictionary<string, Location> _locations = new(StringComparer.Ordinal);
    private Dictionary<string, VectorPartition> _scopes = new(StringComparer.Ordinal);
    private VectorPartition[] _parts = []; // slots [0, _partCount) are in use
    private int _partCount;
    private VectorPartition? _unscopedPart;

    public VectorStore(int dimensions, bool quantized)
    {
        if (dimensions <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "The vector dimension must be positive, for example 384 for all-MiniLM-L6-v2.");
        }

        Dimensions = dimensions;
        Quantized = quantized;
    }

    public int Dimensions { get; }

    /// <summary>Whether each row also keeps int8 codes for <see cref="QuantizedVectorIndex"/>.</summary>
    public bool Quantized { get; }

    public ReaderWriterLockSlim Lock => _lock;

    /// <summary>The partition slots; only the first <see cref="PartitionCount"/> are in use. Read under <see cref="Lock"/>.</summary>
    public VectorPartition[] Partitions => _parts;

    public int PartitionCount => _partCount;

    /// <summary>The number of live entries; read under <see cref="Lock"/>.</summary>
    public int LiveCount => _locations.Count;

    /// <summary>The partitions one search reads: one scope's, or all of them. Call under <see cref="Lock"/>.</summary>
    public PartitionRange Select(string? scope, bool allScopes)
    {
        if (allScopes)
        {
            return new PartitionRange(0, _partCount);
        }

        VectorPartition? p = FindPartition(scope);
        return p is null ? default : new PartitionRange(p.Index, p.Index + 1);
    }

    /// <summary>Returns the live entries of one scope; call under <see cref="Lock"/>.</summary>
    public int CountInScope(string? scope) => FindPartition(scope)?.LiveCount ?? 0;

    public bool ContainsKey(string key) => _locations.ContainsKey(key);

    public bool TryCopyVector(string key, Span<float> destination)
    {
        if (!_locations.TryGetValue(key, out Location loc))
        {
            return false;
        }

        loc.Part.Row(loc.Row).CopyTo(destination);
        return true;
    }

    /// <summary>Writes a normalised vector; takes the write lock.</summary>
    /// <returns>Whether the key is new; <see langword="null"/> when it exists and <paramref name="allowReplace"/> is false.</returns>
    public bool? Write(string key, ReadOnlySpan<float> normalized, string? scope, bool allowReplace)
    {
        _lock.EnterWriteLock();
        try
        {
            bool exists = _locations.TryGetValue(key, out Location loc);
            if (exists && !allowReplace)
            {
                return null;
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

    /// <summary>Removes a key; takes the write lock.</summary>
    public bool Remove(string key)
    {
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

    /// <summary>Removes every entry; takes the write lock.</summary>
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

    /// <summary>Rewrites every partition without its tombstones; takes the write lock.</summary>
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

    /// <summary>Takes over the contents of <paramref name="source"/> (a freshly loaded store nobody else holds).</summary>
    public void ReplaceWith(VectorStore source)
    {
        _lock.EnterWriteLock();
        try
        {
            _locations = source._locations;
            _scopes = source._scopes;
            _parts = source._parts;
            _partCount = source._partCount;
            _unscopedPart = source._unscopedPart;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public void Dispose() => _lock.Dispose();

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

        var part = new VectorPartition(scope, Dimensions, Quantized) { Index = _partCount };
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

    private readonly record struct Location(VectorPartition Part, int Row);
}

/// <summary>The partition slots [<see cref="First"/>, <see cref="End"/>) that one search reads.</summary>
internal readonly record struct PartitionRange(int First, int End)
{
    public bool IsEmpty => End <= First;
}
