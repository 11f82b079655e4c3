namespace LlmOps.Retrieval;

/// <summary>
/// A source text analysed once by a <see cref="GroundednessScorer"/>: its content terms, its title's content terms, its
/// numbers and its lower-case words, as sorted hash sets (<see cref="TermHashes"/>). The grounding stage reads it for
/// relevance (question coverage) and for support (answer sentences); a chunk keeps its own
/// (<see cref="DocumentChunk.GetAnalysis"/>), so a chunk retrieved again is not analysed again.
/// </summary>
internal sealed class SourceAnalysis
{
    public SourceAnalysis(GroundednessScorer scorer, ulong[] terms, ulong[] titleTerms, ulong[] numbers, ulong[] words, bool hasNegation)
    {
        Scorer = scorer;
        Terms = terms;
        TitleTerms = titleTerms;
        Numbers = numbers;
        Words = words;
        HasNegation = hasNegation;
    }

    /// <summary>Gets the scorer (and so the analyzer) that made it.</summary>
    public GroundednessScorer Scorer { get; }

    /// <summary>Gets the content terms of the text.</summary>
    public ulong[] Terms { get; }

    /// <summary>Gets the content terms of the title (empty without one).</summary>
    public ulong[] TitleTerms { get; }

    /// <summary>Gets the numbers of the text, normalised.</summary>
    public ulong[] Numbers { get; }

    /// <summary>Gets the lower-case words of the text.</summary>
    public ulong[] Words { get; }

    /// <summary>Gets a value indicating whether the text has a negation cue.</summary>
    public bool HasNegation { get; }

    /// <summary>Whether the text or the title holds a content term (the title is part of what the model reads about a source).</summary>
    public bool HasTermInTextOrTitle(ulong term) => TermHashes.Contains(Terms, term) || TermHashes.Contains(TitleTerms, term);
}
