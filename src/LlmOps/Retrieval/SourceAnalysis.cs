namespace LlmOps.Retrieval;

/// <summary>
/// A source text analysed once by a <see cref="GroundednessScorer"/>: its content terms, its title's content terms, its
/// quantities (numbers, units, number bindings), its lower-case words, and its clauses, as sorted hash sets
/// (<see cref="TermHashes"/>). The grounding stage reads it for
/// relevance (question coverage) and for support (answer sentences); a chunk keeps its own
/// (<see cref="DocumentChunk.GetAnalysis"/>), so a chunk retrieved again is not analysed again.
/// </summary>
internal sealed class SourceAnalysis
{
    public SourceAnalysis(
        GroundednessScorer scorer, ulong[] terms, ulong[] titleTerms, SourceQuantities quantities, ulong[] words, SourceClause[] clauses)
    {
        Scorer = scorer;
        Terms = terms;
        TitleTerms = titleTerms;
        Quantities = quantities;
        Words = words;
        Clauses = clauses;
        foreach (var clause in clauses)
        {
            HasNegatedClause |= clause.Negated;
            HasUnWords |= clause.UnWords.Length > 0;
        }
    }

    /// <summary>Gets the scorer (and so the analyzer) that made it.</summary>
    public GroundednessScorer Scorer { get; }

    /// <summary>Gets the content terms of the text.</summary>
    public ulong[] Terms { get; }

    /// <summary>Gets the content terms of the title (empty without one).</summary>
    public ulong[] TitleTerms { get; }

    /// <summary>Gets the text's numbers, units and number bindings.</summary>
    public SourceQuantities Quantities { get; }

    /// <summary>Gets the lower-case words of the text.</summary>
    public ulong[] Words { get; }

    /// <summary>Gets the text's clauses, in order.</summary>
    public SourceClause[] Clauses { get; }

    /// <summary>Gets a value indicating whether a clause has a negation word.</summary>
    public bool HasNegatedClause { get; }

    /// <summary>Gets a value indicating whether a clause has an "un-"/"non-" word.</summary>
    public bool HasUnWords { get; }

    /// <summary>Whether the text or the title holds a content term (the title is part of what the model reads about a source).</summary>
    public bool HasTermInTextOrTitle(ulong term) => TermHashes.Contains(Terms, term) || TermHashes.Contains(TitleTerms, term);
}
