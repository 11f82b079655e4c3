namespace LlmOps.Retrieval;

/// <summary>
/// One clause of a source (the text between sentence ends, commas, semicolons, colons, brackets and "but", "while",
/// "whereas", "although", "though"), analysed once with the source: what <see cref="GroundednessScorer"/> compares an
/// answer clause with when it looks for a flipped negation or an opposite word.
/// </summary>
internal sealed class SourceClause
{
    public SourceClause(int sentence, ulong[] terms, ulong[] words, ulong[] opposites, ulong[] unWords, bool negated, ulong negatedHead)
    {
        NegatedHead = negatedHead;
        Sentence = sentence;
        Terms = terms;
        Words = words;
        Opposites = opposites;
        UnWords = unWords;
        Negated = negated;
    }

    /// <summary>Gets the index of the clause's sentence in its source.</summary>
    public int Sentence { get; }

    /// <summary>Gets the clause's content terms (numbers and number words left out), as a sorted hash set.</summary>
    public ulong[] Terms { get; }

    /// <summary>Gets the clause's lower-case words, as a sorted hash set.</summary>
    public ulong[] Words { get; }

    /// <summary>Gets the opposite-pair keys of the clause's words (<see cref="SupportLexicon.OppositeKeys"/>), sorted.</summary>
    public ulong[] Opposites { get; }

    /// <summary>Gets the hashes of the clause's "un-" and "non-" words without that prefix ("unlocked" gives "locked"), sorted.</summary>
    public ulong[] UnWords { get; }

    /// <summary>Gets a value indicating whether the clause has a negation word.</summary>
    public bool Negated { get; }

    /// <summary>Gets the first content term after the clause's negation word ("work" in "does not work"), or 0.</summary>
    public ulong NegatedHead { get; }
}
