namespace LlmOps.Retrieval;

/// <summary>The documents (slots) that hold one term, with the term's frequency in each, in slot order.</summary>
internal sealed class PostingList
{
    private int[] _slots = new int[4];
    private int[] _frequencies = new int[4];

    public int Count { get; private set; }

    /// <summary>The number of live documents holding the term (removed slots stay in the lists until compaction).</summary>
    public int DocumentFrequency { get; set; }

    public ReadOnlySpan<int> Slots => _slots.AsSpan(0, Count);

    public ReadOnlySpan<int> Frequencies => _frequencies.AsSpan(0, Count);

    public void Add(int slot, int frequency)
    {
        if (Count == _slots.Length)
        {
            Array.Resize(ref _slots, Count * 2);
            Array.Resize(ref _frequencies, Count * 2);
        }

        _slots[Count] = slot;
        _frequencies[Count] = frequency;
        Count++;
        DocumentFrequency++;
    }

    public void Clear()
    {
        Count = 0;
        DocumentFrequency = 0;
    }
}
