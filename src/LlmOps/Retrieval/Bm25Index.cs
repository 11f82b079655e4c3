using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LlmOps.Retrieval;

/// <summary>
/// An in-memory inverted index with Okapi BM25 ranking, partitioned by scope: each scope has its own terms, postings
/// and statistics, so a search in one scope never sees (and is never influenced by) another scope's documents.
/// </summary>
/// <remarks>
/// <para>
/// <b>Scoring.</b> For a query q and a document d, <c>score = Σ_t qtf(t) · idf(t) · tf(t,d)·(k1+1) / (tf(t,d) +
/// k1·(1 − b + b·|d|/avgdl))</c> with <c>idf(t) = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))</c>, where N, df and
/// avgdl are the scope's live document count, document frequency and mean document length (in analyzed terms), as
/// in Lucene's <c>BM25Similarity</c> (without its one-byte length quantisation). A query term repeated n times counts
/// n times. Ties rank by ordinal key order.
/// </para>
/// <para>
/// <b>Updates.</b> <see cref="Upsert"/> and <see cref="Remove"/> update the statistics at once; removed documents
/// leave tombstones in the postings until the partition compacts itself (when they outnumber the live documents).
/// </para>
/// <para>
/// <b>Thread safety.</b> Searches run concurrently; writes are serialised and wait for running searches. Analysis
/// happens outside the lock.
/// </para>
/// </remarks>
public sealed partial class Bm25Index : IDisposable
{
    [ThreadStatic]
    private static float[]? t_accumulator;

    [ThreadStatic]
    private static int[]? t_touched;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<string, Bm25Partition> _scoped = new(StringComparer.Ordinal);
    private readonly float _k1;
    private readonly float _b;
    private readonly ITextAnalyzer _analyzer;
    private Bm25Partition _unscoped = new(null);
    private int _count;

    /// <summary>Initializes a new instance of the <see cref="Bm25Index"/> class.</summary>
    /// <param name="options">The options; defaults when <see langword="null"/>. Their values are copied.</param>
    /// <exception cref="ArgumentException">The options are invalid (the message lists each problem).</exception>
    public Bm25Index(Bm25Options? options = null)
    {
        options ??= new Bm25Options();
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        _k1 = options.K1;
        _b = options.B;
        _analyzer = options.Analyzer;
    }

    /// <summary>Gets k1.</summary>
    public float K1 => _k1;

    /// <summary>Gets b.</summary>
    public float B => _b;

    /// <summary>Gets the analyzer.</summary>
    public ITextAnalyzer Analyzer => _analyzer;

    /// <summary>Gets the number of documents in all scopes.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Gets the number of documents in one scope.</summary>
    /// <param name="scope">The scope; <see langword="null"/> for the unscoped partition.</param>
    /// <returns>The count.</returns>
    public int CountInScope(string? scope)
    {
        _lock.EnterReadLock();
        try
        {
            return Find(scope)?.LiveCount ?? 0;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Gets how many texts of one scope hold an index term.</summary>
    /// <param name="term">An index term, as <see cref="Analyzer"/> produces it (for example a Porter stem).</param>
    /// <param name="scope">The scope; <see langword="null"/> for the unscoped partition.</param>
    /// <returns>The number of live texts of the scope that contain the term; 0 for an unknown term or scope.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="term"/> is <see langword="null"/>.</exception>
    public int DocumentFrequency(string term, string? scope)
    {
        ArgumentNullException.ThrowIfNull(term);
        return DocumentFrequency(term.AsSpan(), scope);
    }

    /// <summary>Gets how many texts of one scope hold an index term given as characters (no string is made for it).</summary>
    internal int DocumentFrequency(ReadOnlySpan<char> term, string? scope)
    {
        _lock.EnterReadLock();
        try
        {
            Bm25Partition? p = Find(scope);
            return p is not null && p.TermLookup.TryGetValue(term, out int termId) ? p.Postings[termId].DocumentFrequency : 0;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Indexes a text under a key in a scope, replacing the text that the key had in that scope.</summary>
    /// <param name="key">The key, unique within the scope.</param>
    /// <param name="text">The text to index.</param>
    /// <param name="scope">The scope; <see langword="null"/> for the unscoped partition.</param>
    /// <returns><see langword="true"/> when an existing text was replaced.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public bool Upsert(string key, string text, string? scope)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(text);
        var sink = new CountingSink();
        _analyzer.Analyze(text, sink);
        _lock.EnterWriteLock();
        try
        {
            Bm25Partition p = GetOrCreate(scope);
            bool replaced = p.Remove(key);
            int[] pairs = new int[sink.Counts.Count * 2];
            int i = 0;
            foreach (KeyValuePair<string, int> kv in sink.Counts)
            {
                pairs[i++] = p.InternTerm(kv.Key);
                pairs[i++] = kv.Value;
            }

            p.Add(key, pairs, sink.Length);
            if (!replaced)
            {
                _count++;
            }

            return replaced;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Removes a key from a scope.</summary>
    /// <param name="key">The key.</param>
    /// <param name="scope">The scope; <see langword="null"/> for the unscoped partition.</param>
    /// <returns><see langword="true"/> when the key was there.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    public bool Remove(string key, string? scope)
    {
        ArgumentNullException.ThrowIfNull(key);
        _lock.EnterWriteLock();
        try
        {
            if (Find(scope)?.Remove(key) == true)
            {
                _count--;
                return true;
            }

            return false;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Gets a value indicating whether a key is indexed in a scope.</summary>
    /// <param name="key">The key.</param>
    /// <param name="scope">The scope; <see langword="null"/> for the unscoped partition.</param>
    /// <returns><see langword="true"/> when the key is there.</returns>
    public bool Contains(string key, string? scope)
    {
        ArgumentNullException.ThrowIfNull(key);
        _lock.EnterReadLock();
        try
        {
            return Find(scope)?.TryGetSlot(key, out _) == true;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Removes every document of every scope.</summary>
    public void Clear()
    {
        _lock.EnterWriteLock();
        try
        {
            _scoped.Clear();
            _unscoped = new Bm25Partition(null);
            _count = 0;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Returns the <paramref name="k"/> best-scoring documents of one scope for a query, best first.</summary>
    /// <param name="query">The query text; it is analyzed like the documents.</param>
    /// <param name="k">The largest number of results.</param>
    /// <param name="scope">The scope to search; <see langword="null"/> searches only the unscoped partition.</param>
    /// <returns>The hits, best first; documents that share no term with the query are not returned.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 1.</exception>
    public IReadOnlyList<Bm25SearchResult> Search(string query, int k, string? scope)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var sink = new CountingSink();
        _analyzer.Analyze(query, sink);
        if (sink.Counts.Count == 0)
        {
            return [];
        }

        _lock.EnterReadLock();
        try
        {
            Bm25Partition? p = Find(scope);
            return p is null || p.LiveCount == 0 ? [] : Score(p, sink.Counts, k);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _lock.Dispose();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Bm25SearchResult[] Score(Bm25Partition p, Dictionary<string, int> queryTerms, int k)
    {
        float[] norms = EnsureNorms(p);
        int slots = p.SlotCount;
        float[] acc = t_accumulator is { } a && a.Length >= slots ? a : (t_accumulator = new float[Math.Max(slots, 1024)]);
        int[] touched = t_touched is { } t && t.Length >= slots ? t : (t_touched = new int[Math.Max(slots, 1024)]);
        int touchedCount = 0;
        double n = p.LiveCount;
        foreach (KeyValuePair<string, int> kv in queryTerms)
        {
            if (!p.TermLookup.TryGetValue(kv.Key, out int termId))
            {
                continue;
            }

            PostingList list = p.Postings[termId];
            int df = list.DocumentFrequency;
            if (df == 0)
            {
                continue;
            }

            float weight = (float)(kv.Value * Math.Log(1 + ((n - df + 0.5) / (df + 0.5))) * (_k1 + 1));
            ReadOnlySpan<int> postingSlots = list.Slots;
            ReadOnlySpan<int> frequencies = list.Frequencies;
            ref float accRef = ref MemoryMarshal.GetArrayDataReference(acc);
            ref float normRef = ref MemoryMarshal.GetArrayDataReference(norms);
            for (int i = 0; i < postingSlots.Length; i++)
            {
                int slot = postingSlots[i];
                float norm = Unsafe.Add(ref normRef, slot);
                if (float.IsPositiveInfinity(norm))
                {
                    continue;
                }

                float tf = frequencies[i];
                ref float cell = ref Unsafe.Add(ref accRef, slot);
                if (cell == 0)
                {
                    touched[touchedCount++] = slot;
                }

                cell += weight * tf / (tf + norm);
            }
        }

        var heap = new ResultHeap(Math.Min(k, touchedCount), p.Keys);
        for (int i = 0; i < touchedCount; i++)
        {
            int slot = touched[i];
            heap.Offer(acc[slot], slot);
            acc[slot] = 0;
        }

        return heap.DrainDescending();
    }

    private float[] EnsureNorms(Bm25Partition p)
    {
        // Writers hold the write lock, so Version is stable here; the version is published after the array.
        if (Volatile.Read(ref p.NormsVersion) == p.Version)
        {
            return p.Norms!;
        }

        lock (p)
        {
            if (p.Norms is { } current && p.NormsVersion == p.Version)
            {
                return current;
            }

            int slots = p.SlotCount;
            var fresh = new float[Math.Max(slots, 1)];
            double avg = p.LiveCount == 0 ? 1 : (double)p.TotalLength / p.LiveCount;
            if (avg <= 0)
            {
                avg = 1;
            }

            for (int s = 0; s < slots; s++)
            {
                fresh[s] = p.Keys[s] is null ? float.PositiveInfinity : (float)(_k1 * (1 - _b + (_b * p.Lengths[s] / avg)));
            }

            p.Norms = fresh;
            Volatile.Write(ref p.NormsVersion, p.Version);
            return fresh;
        }
    }

    private Bm25Partition? Find(string? scope) =>
        scope is null ? _unscoped : _scoped.GetValueOrDefault(scope);

    private Bm25Partition GetOrCreate(string? scope)
    {
        if (scope is null)
        {
            return _unscoped;
        }

        if (!_scoped.TryGetValue(scope, out Bm25Partition? p))
        {
            p = new Bm25Partition(scope);
            _scoped.Add(scope, p);
        }

        return p;
    }

    /// <summary>Counts analyzed terms without allocating a string for a repeated term.</summary>
    private sealed class CountingSink : ITermSink
    {
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

        public CountingSink() => _lookup = Counts.GetAlternateLookup<ReadOnlySpan<char>>();

        public Dictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);

        public int Length { get; private set; }

        public void Add(ReadOnlySpan<char> term)
        {
            Length++;
            ref int count = ref CollectionsMarshal.GetValueRefOrAddDefault(_lookup, term, out _);
            count++;
        }
    }

    /// <summary>A bounded min-heap of (score, slot); ties are broken by ordinal key order (smaller key ranks higher).</summary>
    private struct ResultHeap(int capacity, string?[] keys)
    {
        private readonly (float Score, int Slot)[] _items = new (float, int)[capacity];
        private int _count;

        public void Offer(float score, int slot)
        {
            if (_items.Length == 0)
            {
                return;
            }

            if (_count < _items.Length)
            {
                _items[_count] = (score, slot);
                SiftUp(_count++);
            }
            else if (Better(score, slot, _items[0]))
            {
                _items[0] = (score, slot);
                SiftDown(0);
            }
        }

        public Bm25SearchResult[] DrainDescending()
        {
            var results = new Bm25SearchResult[_count];
            for (int i = _count - 1; i >= 0; i--)
            {
                (float score, int slot) = _items[0];
                results[i] = new Bm25SearchResult(keys[slot]!, score);
                _items[0] = _items[--_count];
                SiftDown(0);
            }

            return results;
        }

        private readonly bool Better(float score, int slot, (float Score, int Slot) other) =>
            score > other.Score || (score == other.Score && string.CompareOrdinal(keys[slot], keys[other.Slot]) < 0);

        private readonly void SiftUp(int i)
        {
            while (i > 0)
            {
                int parent = (i - 1) / 2;
                if (!Better(_items[parent].Score, _items[parent].Slot, _items[i]))
                {
                    break;
                }

                (_items[parent], _items[i]) = (_items[i], _items[parent]);
                i = parent;
            }
        }

        private readonly void SiftDown(int i)
        {
            while (true)
            {
                int l = (2 * i) + 1;
                if (l >= _count)
                {
                    return;
                }

                int worst = l;
                int r = l + 1;
                if (r < _count && Better(_items[l].Score, _items[l].Slot, _items[r]))
                {
                    worst = r;
                }

                if (!Better(_items[i].Score, _items[i].Slot, _items[worst]))
                {
                    return;
                }

                (_items[i], _items[worst]) = (_items[worst], _items[i]);
                i = worst;
            }
        }
    }
}
