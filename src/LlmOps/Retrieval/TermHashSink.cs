namespace LlmOps.Retrieval;

/// <summary>
/// Collects the hashes of an analyzer's terms (<see cref="TermHashes.Of"/>) into a reusable buffer. One instance per
/// thread is kept for reuse (<see cref="Rent"/> and <see cref="Return"/>), so analysing a sentence at request time
/// allocates nothing.
/// </summary>
internal sealed class TermHashSink : ITermSink
{
    // A per-thread stack of free sinks: nested rents (a sentence's terms, its numbers, one word's term) reuse them too.
    [ThreadStatic]
    private static TermHashSink? t_free;

    // A sink that grew past this (a long document) is left to the collector rather than kept per thread.
    private const int MaxKeptLength = 4096;

    private ulong[] _buffer = new ulong[64];
    private TermHashSink? _next;

    /// <summary>Gets the number of hashes collected.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the collected hashes, in term order until <see cref="SortUnique"/> runs.</summary>
    public Span<ulong> Hashes => _buffer.AsSpan(0, Count);

    /// <summary>Takes one of this thread's free sinks (or a new one), empty.</summary>
    public static TermHashSink Rent()
    {
        var sink = t_free;
        if (sink is null)
        {
            return new TermHashSink();
        }

        t_free = sink._next;
        sink._next = null;
        sink.Count = 0;
        sink.Skip = null;
        return sink;
    }

    /// <summary>Gives a sink back for a later <see cref="Rent"/> on this thread; the caller must not use it any more.</summary>
    public static void Return(TermHashSink sink)
    {
        if (sink._buffer.Length > MaxKeptLength)
        {
            return;
        }

        sink._next = t_free;
        t_free = sink;
    }

    /// <summary>Empties the sink.</summary>
    public void Clear() => Count = 0;

    /// <summary>
    /// Gets or sets the hashes of terms to leave out, or <see langword="null"/>; when set, terms that start with a digit are
    /// left out too (numbers are checked apart from the content terms). <see cref="Rent"/> clears it.
    /// </summary>
    public HashSet<ulong>? Skip { get; set; }

    /// <inheritdoc/>
    public void Add(ReadOnlySpan<char> term)
    {
        if (Skip is { } skip)
        {
            if (term.Length > 0 && char.IsAsciiDigit(term[0]))
            {
                return;
            }

            var hash = TermHashes.Of(term);
            if (!skip.Contains(hash))
            {
                Add(hash);
            }

            return;
        }

        Add(TermHashes.Of(term));
    }

    /// <summary>Adds a hash.</summary>
    public void Add(ulong hash)
    {
        if (Count == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        _buffer[Count++] = hash;
    }

    /// <summary>Sorts the hashes and keeps the distinct ones.</summary>
    public ReadOnlySpan<ulong> SortUnique()
    {
        Count = TermHashes.SortUnique(Hashes);
        return Hashes;
    }

    /// <summary>The distinct hashes, sorted, in a new array.</summary>
    public ulong[] ToSet() => SortUnique().ToArray();
}
