namespace LlmOps.Evaluation.Metrics;

/// <summary>A growable list of integers that is reused between calls (no per-call allocation once warm).</summary>
internal sealed class IntBuffer
{
    private int[] _items = new int[64];

    public int Count { get; private set; }

    public Span<int> Span => _items.AsSpan(0, Count);

    public void Clear() => Count = 0;

    public void Add(int value)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[Count++] = value;
    }

    /// <summary>Sets the length to <paramref name="count"/> with every item zero.</summary>
    public Span<int> ResetZeroed(int count)
    {
        if (_items.Length < count)
        {
            _items = new int[Math.Max(count, _items.Length * 2)];
        }

        Array.Clear(_items, 0, count);
        Count = count;
        return _items.AsSpan(0, count);
    }

    /// <summary>Replaces the contents with a copy of <paramref name="values"/>.</summary>
    public Span<int> CopyFrom(ReadOnlySpan<int> values)
    {
        if (_items.Length < values.Length)
        {
            _items = new int[Math.Max(values.Length, _items.Length * 2)];
        }

        values.CopyTo(_items);
        Count = values.Length;
        return _items.AsSpan(0, Count);
    }
}
