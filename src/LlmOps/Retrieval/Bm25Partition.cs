namespace LlmOps.Retrieval;

/// <summary>
/// The inverted index of one scope: its own term dictionary, postings, document lengths and statistics, so that no
/// scope's documents or statistics influence another's results. Not thread-safe; <see cref="Bm25Index"/> locks.
/// </summary>
internal sealed class Bm25Partition
{
    private const int MinSlots = 16;

    private readonly Dictionary<string, int> _termIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);

    public Bm25Partition(string? scope)
    {
        Scope = scope;
        TermLookup = _termIds.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string? Scope { get; }

    public Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> TermLookup { get; }

    public List<string> Terms { get; } = [];

    public List<PostingList> Postings { get; } = [];

    /// <summary>Key per slot; <see langword="null"/> for a removed document.</summary>
    public string?[] Keys { get; private set; } = new string?[MinSlots];

    public int[] Lengths { get; private set; } = new int[MinSlots];

    /// <summary>Per slot: (term id, frequency) pairs, interleaved; kept to undo statistics on removal and to save.</summary>
    public int[]?[] DocTerms { get; private set; } = new int[]?[MinSlots];

    public int SlotCount { get; private set; }

    public int LiveCount { get; private set; }

    public long TotalLength { get; private set; }

    /// <summary>Incremented on every change; the cached norms are valid for one version.</summary>
    public int Version { get; private set; }

#pragma warning disable SA1401, CA1051 // Fields: published with Volatile by Bm25Index.EnsureNorms.
    public float[]? Norms;

    public int NormsVersion = -1;
#pragma warning restore SA1401, CA1051

    public bool TryGetSlot(string key, out int slot) => _slots.TryGetValue(key, out slot);

    public int InternTerm(string term)
    {
        if (!_termIds.TryGetValue(term, out int id))
        {
            id = Terms.Count;
            _termIds.Add(term, id);
            Terms.Add(term);
            Postings.Add(new PostingList());
        }

        return id;
    }

    /// <summary>Adds a document whose terms are given as (term id, frequency) pairs.</summary>
    public void Add(string key, int[] pairs, int length)
    {
        if (SlotCount == Keys.Length)
        {
            int size = Keys.Length * 2;
            Keys = Grow(Keys, size);
            Lengths = Grow(Lengths, size);
            DocTerms = Grow(DocTerms, size);
        }

        int slot = SlotCount++;
        Keys[slot] = key;
        Lengths[slot] = length;
        DocTerms[slot] = pairs;
        for (int i = 0; i < pairs.Length; i += 2)
        {
            Postings[pairs[i]].Add(slot, pairs[i + 1]);
        }

        _slots[key] = slot;
        LiveCount++;
        TotalLength += length;
        Version++;
    }

    public bool Remove(string key)
    {
        if (!_slots.Remove(key, out int slot))
        {
            return false;
        }

        int[] pairs = DocTerms[slot]!;
        for (int i = 0; i < pairs.Length; i += 2)
        {
            Postings[pairs[i]].DocumentFrequency--;
        }

        Keys[slot] = null;
        DocTerms[slot] = null;
        TotalLength -= Lengths[slot];
        LiveCount--;
        Version++;
        if (SlotCount - LiveCount > Math.Max(1024, LiveCount))
        {
            Compact();
        }

        return true;
    }

    /// <summary>Renumbers the live documents and rebuilds the postings without the removed ones.</summary>
    public void Compact()
    {
        string?[] keys = Keys;
        int[] lengths = Lengths;
        int[]?[] docTerms = DocTerms;
        int count = SlotCount;
        int size = Math.Max(MinSlots, LiveCount);
        Keys = new string?[size];
        Lengths = new int[size];
        DocTerms = new int[]?[size];
        SlotCount = 0;
        LiveCount = 0;
        TotalLength = 0;
        _slots.Clear();
        foreach (PostingList p in Postings)
        {
            p.Clear();
        }

        for (int slot = 0; slot < count; slot++)
        {
            if (keys[slot] is string key)
            {
                Add(key, docTerms[slot]!, lengths[slot]);
            }
        }
    }

    private static T[] Grow<T>(T[] array, int size)
    {
        Array.Resize(ref array, size);
        return array;
    }
}
