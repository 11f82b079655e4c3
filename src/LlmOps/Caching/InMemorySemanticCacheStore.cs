using System.Globalization;
using LlmOps.Vectors;

namespace LlmOps.Caching;

/// <summary>
/// The embedded default <see cref="ISemanticCacheStore"/>: a dictionary for exact keys, a <see cref="FlatVectorIndex"/>
/// for the semantic tier in which every semantic partition is one index scope, expiry on the injected
/// <see cref="TimeProvider"/>, and least-recently-used eviction above <see cref="MaxEntries"/>.
/// </summary>
/// <remarks>
/// <para>
/// A semantic search reads only its partition's scope of the vector index, so the partition filter applies before any
/// similarity is computed and one scope can never see another scope's entries, even an identical vector.
/// </para>
/// <para>
/// Thread-safe. Recency, expiry and eviction take one short lock. The vector scan runs outside it, under the index's
/// own reader-writer lock, so a scan over a large partition does not hold up exact lookups; an entry removed or
/// replaced while a scan runs is never returned with a stale similarity, because every stored vector has its own
/// index key.
/// </para>
/// </remarks>
public sealed class InMemorySemanticCacheStore : ISemanticCacheStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<SemanticCacheKey, Node> _entries = [];
    private readonly Dictionary<string, Node> _byVectorKey = new(StringComparer.Ordinal);
    private readonly Dictionary<SemanticCacheKey, PartitionScope> _partitions = [];

    // One index per embedding dimension, so a store shared by clients with different embedding models never compares
    // vectors of different lengths; in practice there is one.
    private readonly Dictionary<int, FlatVectorIndex> _indexes = [];
    private readonly TimeProvider _time;
    private long _nextVectorKey;
    private Node? _head; // most recently used
    private Node? _tail; // least recently used

    /// <summary>Initializes a new instance of the <see cref="InMemorySemanticCacheStore"/> class.</summary>
    /// <param name="maxEntries">The most entries kept; the least recently used goes first.</param>
    /// <param name="timeProvider">The clock for expiry; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxEntries"/> is less than 1.</exception>
    public InMemorySemanticCacheStore(int maxEntries = 10_000, TimeProvider? timeProvider = null)
    {
        if (maxEntries < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxEntries), maxEntries, $"The semantic cache needs room for at least one entry (maxEntries was {maxEntries}).");
        }

        MaxEntries = maxEntries;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the most entries kept.</summary>
    public int MaxEntries { get; }

    /// <summary>Gets the number of entries held, expired ones not yet swept included.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask<SemanticCacheEntry?> GetAsync(SemanticCacheKey key, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var node))
            {
                return default;
            }

            // The clock is read only for an entry that can expire, and coarsely for the system clock (CoarseClock).
            if (node.Entry.ExpiresAt is not null && IsExpired(node.Entry, CoarseClock.UtcNow(_time)))
            {
                RemoveNode(node);
                return default;
            }

            MoveToFront(node);
            return new ValueTask<SemanticCacheEntry?>(node.Entry);
        }
    }

    /// <inheritdoc/>
    /// <remarks>An embedding that cannot be normalised (zero, NaN or infinity) finds nothing.</remarks>
    public ValueTask<SemanticCacheMatch?> FindNearestAsync(SemanticCacheKey partition, ReadOnlyMemory<float> embedding, CancellationToken cancellationToken = default)
    {
        var query = embedding.Span;
        if (!VectorMath.CanNormalize(query))
        {
            return default;
        }

        FlatVectorIndex? index;
        string scope;
        lock (_gate)
        {
            if (!_partitions.TryGetValue(partition, out var part) || !_indexes.TryGetValue(query.Length, out index))
            {
                return default;
            }

            scope = part.Scope;
        }

        // Usually the nearest entry is live and one scan answers. Expired entries met on the way are removed and the
        // scan repeats with a larger k; an entry removed by another thread since the scan is skipped (it has left the
        // index too, so a repeated scan cannot meet it again).
        for (var k = 1; ; k *= 2)
        {
            var hits = index.Search(query, k, scope);
            var now = _time.GetUtcNow();
            lock (_gate)
            {
                for (var i = 0; i < hits.Count; i++)
                {
                    if (!_byVectorKey.TryGetValue(hits[i].Key, out var node))
                    {
                        continue;
                    }

                    if (IsExpired(node.Entry, now))
                    {
                        RemoveNode(node);
                        continue;
                    }

                    MoveToFront(node);
                    return new ValueTask<SemanticCacheMatch?>(new SemanticCacheMatch(node.Entry, hits[i].Score));
                }
            }

            if (hits.Count < k)
            {
                return default;
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>An embedding that cannot be normalised (zero, NaN or infinity) finds nothing.</remarks>
    public ValueTask<IReadOnlyList<SemanticCacheMatch>> FindCandidatesAsync(
        SemanticCacheKey partition, ReadOnlyMemory<float> embedding, int maxCount, float minSimilarity, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var query = embedding.Span;
        if (!VectorMath.CanNormalize(query))
        {
            return new ValueTask<IReadOnlyList<SemanticCacheMatch>>([]);
        }

        FlatVectorIndex? index;
        string scope;
        lock (_gate)
        {
            if (!_partitions.TryGetValue(partition, out var part) || !_indexes.TryGetValue(query.Length, out index))
            {
                return new ValueTask<IReadOnlyList<SemanticCacheMatch>>([]);
            }

            scope = part.Scope;
        }

        // As in FindNearestAsync: expired entries met on the way are removed and the scan repeats with a larger k.
        var found = new List<SemanticCacheMatch>(Math.Min(maxCount, 16));
        for (var k = maxCount; ; k *= 2)
        {
            var hits = index.Search(query, k, scope);
            var now = _time.GetUtcNow();
            var reachedFloor = false;
            found.Clear();
            lock (_gate)
            {
                for (var i = 0; i < hits.Count && found.Count < maxCount; i++)
                {
                    if (hits[i].Score < minSimilarity)
                    {
                        reachedFloor = true;
                        break;
                    }

                    if (!_byVectorKey.TryGetValue(hits[i].Key, out var node))
                    {
                        continue;
                    }

                    if (IsExpired(node.Entry, now))
                    {
                        RemoveNode(node);
                        continue;
                    }

                    if (found.Count == 0)
                    {
                        MoveToFront(node); // the nearest only, as FindNearestAsync: a mere candidate is not a use
                    }

                    found.Add(new SemanticCacheMatch(node.Entry, hits[i].Score));
                }
            }

            if (found.Count == maxCount || reachedFloor || hits.Count < k)
            {
                return new ValueTask<IReadOnlyList<SemanticCacheMatch>>(found);
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>An embedding that cannot be normalised (zero, NaN or infinity) stores the entry for the exact tier only.</remarks>
    public ValueTask SetAsync(SemanticCacheEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            if (_entries.TryGetValue(entry.Key, out var existing))
            {
                RemoveNode(existing);
            }

            var node = new Node(entry);
            _entries.Add(entry.Key, node);
            AddToFront(node);
            if (entry.Embedding is { Length: > 0 } vector && VectorMath.CanNormalize(vector.Span))
            {
                AddVector(node, vector.Span);
            }

            while (_entries.Count > MaxEntries && _tail is not null)
            {
                RemoveNode(_tail);
            }
        }

        return default;
    }

    /// <inheritdoc/>
    public ValueTask<int> InvalidateAsync(SemanticCacheInvalidation selection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var removed = 0;
        lock (_gate)
        {
            if (selection.Key is { } key)
            {
                // One entry at most: no scan.
                if (_entries.TryGetValue(key, out var keyed) && selection.Matches(keyed.Entry))
                {
                    RemoveNode(keyed);
                    return new ValueTask<int>(1);
                }

                return new ValueTask<int>(0);
            }

            var node = _head;
            while (node is not null)
            {
                var next = node.Next;
                if (selection.Matches(node.Entry))
                {
                    RemoveNode(node);
                    removed++;
                }

                node = next;
            }
        }

        return new ValueTask<int>(removed);
    }

    /// <summary>The vector index holding the embeddings of this dimension, for tests.</summary>
    internal FlatVectorIndex? VectorIndexFor(int dimensions)
    {
        lock (_gate)
        {
            return _indexes.GetValueOrDefault(dimensions);
        }
    }

    private static bool IsExpired(SemanticCacheEntry entry, DateTimeOffset now) => entry.ExpiresAt is { } expires && expires <= now;

    private void AddVector(Node node, ReadOnlySpan<float> vector)
    {
        if (!_indexes.TryGetValue(vector.Length, out var index))
        {
            index = new FlatVectorIndex(vector.Length);
            _indexes.Add(vector.Length, index);
        }

        var partition = node.Entry.Partition;
        if (!_partitions.TryGetValue(partition, out var part))
        {
            part = new PartitionScope(partition.ToString());
            _partitions.Add(partition, part);
        }

        // A fresh key per stored vector, never reused: a scan result always names the node whose vector it scored.
        // Fixed width, so the index's ordinal tie-break prefers the older entry.
        var key = (_nextVectorKey++).ToString("x16", CultureInfo.InvariantCulture);
        index.Add(key, vector, part.Scope);
        part.Count++;
        node.VectorKey = key;
        node.Index = index;
        _byVectorKey.Add(key, node);
    }

    private void RemoveNode(Node node)
    {
        _entries.Remove(node.Entry.Key);
        if (node.VectorKey is { } key)
        {
            _byVectorKey.Remove(key);
            node.Index!.Remove(key); // the index frees the scope with its last entry
            var partition = node.Entry.Partition;
            if (--_partitions[partition].Count == 0)
            {
                _partitions.Remove(partition);
            }

            node.VectorKey = null;
            node.Index = null;
        }

        if (node.Previous is null)
        {
            _head = node.Next;
        }
        else
        {
            node.Previous.Next = node.Next;
        }

        if (node.Next is null)
        {
            _tail = node.Previous;
        }
        else
        {
            node.Next.Previous = node.Previous;
        }

        node.Previous = node.Next = null;
    }

    private void AddToFront(Node node)
    {
        node.Next = _head;
        node.Previous = null;
        if (_head is not null)
        {
            _head.Previous = node;
        }

        _head = node;
        _tail ??= node;
    }

    private void MoveToFront(Node node)
    {
        if (ReferenceEquals(_head, node))
        {
            return;
        }

        // Unlink (node is not the head, so Previous is set).
        node.Previous!.Next = node.Next;
        if (node.Next is null)
        {
            _tail = node.Previous;
        }
        else
        {
            node.Next.Previous = node.Previous;
        }

        AddToFront(node);
    }

    private sealed class Node(SemanticCacheEntry entry)
    {
        public SemanticCacheEntry Entry { get; } = entry;

        public Node? Previous { get; set; }

        public Node? Next { get; set; }

        /// <summary>The entry's key in <see cref="Index"/>, or <see langword="null"/> for an exact-only entry.</summary>
        public string? VectorKey { get; set; }

        public FlatVectorIndex? Index { get; set; }
    }

    /// <summary>A semantic partition's scope name in the vector index (kept, so a lookup does not format it) and its entry count.</summary>
    private sealed class PartitionScope(string scope)
    {
        public string Scope { get; } = scope;

        public int Count { get; set; }
    }
}
