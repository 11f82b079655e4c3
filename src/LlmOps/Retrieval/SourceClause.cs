namespace LlmOps.Retrieval;

/// <summary>
/// One clause of a source (the text between sentence ends, commas, semicolons, colons, brackets and "but", "while",
/// "whereas", "although", "though"), analysed once with the source: what <see cref="GroundednessScorer"/> compares an
/// answer clause with when it looks for a flipped negation or an opposite word. The clause's hash sets are segments of
/// one array that all clauses of a source share (a clause costs no object and no array of its own).
/// </summary>
internal readonly struct SourceClause
{
    private readonly ulong[] _data;
    private readonly int _start;
    private readonly ushort _terms;
    private readonly ushort _words;
    private readonly ushort _opposites;
    private readonly ushort _unWords;

    /// <summary>Initializes a new instance of the <see cref="SourceClause"/> struct over four consecutive segments of <paramref name="data"/>.</summary>
    public SourceClause(ulong[] data, int start, int terms, int words, int opposites, int unWords, bool negated, ulong negatedHead)
    {
        _data = data;
        _start = start;
        (_terms, _words, _opposites, _unWords) = ((ushort)terms, (ushort)words, (ushort)opposites, (ushort)unWords);
        Negated = negated;
        NegatedHead = negatedHead;
    }

    /// <summary>The most hashes a segment holds (a clause of more distinct words keeps the smallest hashes).</summary>
    public const int MaxSegment = ushort.MaxValue;

    /// <summary>Gets the clause's content terms (numbers, units and negation words left out), as a sorted hash set.</summary>
    public ReadOnlySpan<ulong> Terms => _data.AsSpan(_start, _terms);

    /// <summary>Gets the clause's lower-case words of four letters or more (what "un-" words are compared with), as a sorted hash set.</summary>
    public ReadOnlySpan<ulong> Words => _data.AsSpan(_start + _terms, _words);

    /// <summary>Gets the opposite-pair keys of the clause's words (<see cref="SupportLexicon.OppositeKeys"/>), sorted.</summary>
    public ReadOnlySpan<ulong> Opposites => _data.AsSpan(_start + _terms + _words, _opposites);

    /// <summary>Gets the hashes of the clause's "un-" and "non-" words without that prefix ("unlocked" gives "locked"), sorted.</summary>
    public ReadOnlySpan<ulong> UnWords => _data.AsSpan(_start + _terms + _words + _opposites, _unWords);

    /// <summary>Gets a value indicating whether the clause has a negation word.</summary>
    public bool Negated { get; }

    /// <summary>Gets the first content term after the clause's negation word ("work" in "does not work"), or 0.</summary>
    public ulong NegatedHead { get; }
}
