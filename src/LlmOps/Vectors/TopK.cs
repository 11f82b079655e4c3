using System.Buffers;
using System.Runtime.CompilerServices;

namespace LlmOps.Vectors;

/// <summary>
/// A bounded min-heap of the best k candidates seen so far. The root is the worst kept candidate, so
/// <see cref="Threshold"/> lets the scan skip most rows with one comparison. Ties in score break by
/// ordinal key order (smaller key wins), so results are deterministic regardless of scan order.
/// </summary>
internal struct TopK
{
    private readonly VectorPartition[] _parts;
    private Candidate[] _items;
    private int _count;

    public TopK(int capacity, VectorPartition[] parts)
    {
        _parts = parts;
        Capacity = capacity;
        _items = ArrayPool<Candidate>.Shared.Rent(capacity);
        _count = 0;
        Threshold = float.NegativeInfinity;
    }

    public int Capacity { get; }

    public readonly int Count => _count;

    /// <summary>A row can enter only with a score at or above this value.</summary>
    public float Threshold;

    public readonly Candidate this[int i] => _items[i];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Offer(float score, int part, int row)
    {
        if (score >= Threshold)
        {
            OfferSlow(score, part, row);
        }
    }

    private void OfferSlow(float score, int part, int row)
    {
        string? key = _parts[part].Keys[row];
        if (key is null)
        {
            return; // tombstone
        }

        var c = new Candidate(score, part, row);
        if (_count < Capacity)
        {
            _items[_count] = c;
            SiftUp(_count++);
            if (_count == Capacity)
            {
                Threshold = _items[0].Score;
            }

            return;
        }

        if (!Better(c, _items[0]))
        {
            return;
        }

        _items[0] = c;
        SiftDown(0);
        Threshold = _items[0].Score;
    }

    public void Merge(ref TopK other)
    {
        for (int i = 0; i < other._count; i++)
        {
            Candidate c = other._items[i];
            OfferSlow(c.Score, c.Part, c.Row);
        }
    }

    /// <summary>Removes all candidates in descending order into <paramref name="destination"/>.</summary>
    public void DrainDescending(Span<Candidate> destination)
    {
        for (int i = _count - 1; i >= 0; i--)
        {
            destination[i] = _items[0];
            _items[0] = _items[--_count];
            SiftDown(0);
        }
    }

    /// <summary>Drains the heap into results in descending score, each score multiplied by <paramref name="scale"/>.</summary>
    public VectorSearchResult[] ToResults(float scale)
    {
        int n = _count;
        Span<Candidate> sorted = n <= 128 ? stackalloc Candidate[n] : new Candidate[n];
        DrainDescending(sorted);
        var results = new VectorSearchResult[n];
        for (int i = 0; i < n; i++)
        {
            Candidate c = sorted[i];
            VectorPartition p = _parts[c.Part];
            results[i] = new VectorSearchResult(p.Keys[c.Row]!, Math.Clamp(c.Score * scale, -1f, 1f), p.Scope);
        }

        return results;
    }

    public void Dispose()
    {
        if (_items is not null)
        {
            ArrayPool<Candidate>.Shared.Return(_items);
            _items = null!;
        }
    }

    private readonly bool Better(Candidate a, Candidate b)
    {
        if (a.Score != b.Score)
        {
            return a.Score > b.Score;
        }

        return string.CompareOrdinal(_parts[a.Part].Keys[a.Row], _parts[b.Part].Keys[b.Row]) < 0;
    }

    private readonly void SiftUp(int i)
    {
        Candidate[] h = _items;
        while (i > 0)
        {
            int p = (i - 1) >> 1;
            if (!Better(h[p], h[i]))
            {
                break;
            }

            (h[p], h[i]) = (h[i], h[p]);
            i = p;
        }
    }

    private readonly void SiftDown(int i)
    {
        Candidate[] h = _items;
        int n = _count;
        while (true)
        {
            int l = (2 * i) + 1;
            if (l >= n)
            {
                return;
            }

            int worst = l;
            if (l + 1 < n && Better(h[l], h[l + 1]))
            {
                worst = l + 1;
            }

            if (!Better(h[i], h[worst]))
            {
                return;
            }

            (h[i], h[worst]) = (h[worst], h[i]);
            i = worst;
        }
    }
}

/// <summary>A scored row reference.</summary>
internal readonly record struct Candidate(float Score, int Part, int Row);
