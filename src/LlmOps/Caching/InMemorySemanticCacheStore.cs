using System.Numerics.Tensors;

namespace LlmOps.Caching;

/// <summary>
/// The embedded default <see cref="ISemanticCacheStore"/>: a dictionary for exact keys, one contiguous vector block
/// per semantic partition searched with SIMD dot products, expiry on the injected <see cref="TimeProvider"/>, and
/// least-recently-used eviction above <see cref="MaxEntries"/>.
/// </summary>
/// <remarks>
/// Thread-safe (one lock; each operation is short). A search scans only its partition, so the partition filter applies
/// before similarity and a scope can never see another scope's entries.
/// </remarks>
public sealed class InMemorySemanticCacheStore : ISemanticCacheStore
{
    private readonly object _gate = new();
    private readonly Dictionary<SemanticCacheKey, Node> _entries = [];
    private readonly Dictionary<SemanticCacheKey, Partition> _partitions = [];
    private readonly TimeProvider _time;
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
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var node))
            {
                return default;
            }

            if (IsExpired(node.Entry, now))
            {
                RemoveNode(node);
                return default;
            }

            MoveToFront(node);
            return new ValueTask<SemanticCacheEntry?>(node.Entry);
        }
    }

    /// <inheritdoc/>
    public ValueTask<SemanticCacheMatch?> FindNearestAsync(SemanticCacheKey partition, ReadOnlyMemory<float> embedding, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (!_partitions.TryGetValue(partition, out var part))
            {
                return default;
            }

            while (part.Count > 0)
            {
                var (row, similarity) = part.Nearest(embedding.Span);
                if (row < 0)
                {
                    return default;
                }

                var node = part.Nodes[row];
                if (IsExpired(node.Entry, now))
                {
                    RemoveNode(node);
                    continue;
                }

                MoveToFront(node);
                return new ValueTask<SemanticCacheMatch?>(new SemanticCacheMatch(node.Entry, similarity));
            }

            return default;
        }
    }

    /// <inheritdoc/>
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
            if (entry.Embedding is { Length: > 0 } vector)
            {
                if (!_partitions.TryGetValue(entry.Partition, out var part))
                {
                    part = new Partition(vector.Length);
                    _partitions.Add(entry.Partition, part);
                }

                if (part.Dimensions == vector.Length)
                {
                    part.Add(node, vector.Span);
                }
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

    private static bool IsExpired(SemanticCacheEntry entry, DateTimeOffset now) => entry.ExpiresAt is { } expires && expires <= now;

    private void RemoveNode(Node node)
    {
        _entries.Remove(node.Entry.Key);
        if (node.Row >= 0 && _partitions.TryGetValue(node.Entry.Partition, out var part))
        {
            part.Remove(node);
            if (part.Count == 0)
            {
                _partitions.Remove(node.Entry.Partition);
            }
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

        /// <summary>The row in the partition's vector block, or -1.</summary>
        public int Row { get; set; } = -1;
    }

    /// <summary>One partition's vectors, stored row after row in one array; removal moves the last row into the hole.</summary>
    private sealed class Partition(int dimensions)
    {
        // Most partitions (one per scope and context) hold a handful of entries: start with one row and double.
        private float[] _vectors = new float[dimensions];

        public int Dimensions { get; } = dimensions;

        public int Count { get; private set; }

        public List<Node> Nodes { get; } = [];

        public void Add(Node node, ReadOnlySpan<float> vector)
        {
            if ((Count + 1) * Dimensions > _vectors.Length)
            {
                Array.Resize(ref _vectors, _vectors.Length * 2);
            }

            vector.CopyTo(_vectors.AsSpan(Count * Dimensions, Dimensions));
            node.Row = Count;
            Nodes.Add(node);
            Count++;
        }

        public void Remove(Node node)
        {
            var row = node.Row;
            var last = Count - 1;
            if (row != last)
            {
                _vectors.AsSpan(last * Dimensions, Dimensions).CopyTo(_vectors.AsSpan(row * Dimensions, Dimensions));
                var moved = Nodes[last];
                moved.Row = row;
                Nodes[row] = moved;
            }

            Nodes.RemoveAt(last);
            node.Row = -1;
            Count--;
        }

        public (int Row, float Similarity) Nearest(ReadOnlySpan<float> query)
        {
            if (query.Length != Dimensions)
            {
                return (-1, 0);
            }

            var best = -1;
            var bestScore = float.NegativeInfinity;
            var vectors = _vectors.AsSpan(0, Count * Dimensions);
            for (var row = 0; row < Count; row++)
            {
                var score = TensorPrimitives.Dot(query, vectors.Slice(row * Dimensions, Dimensions));
                if (score > bestScore)
                {
                    bestScore = score;
                    best = row;
                }
            }

            return (best, bestScore);
        }
    }
}
