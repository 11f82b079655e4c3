namespace LlmOps.Retrieval;

/// <summary>
/// Turns text into the index terms of lexical retrieval (<see cref="Bm25Index"/>). The same analyzer must be used
/// for indexing and for queries. Implementations must be thread-safe.
/// </summary>
public interface ITextAnalyzer
{
    /// <summary>Gets a stable name for the analyzer, saved with an index so that a mismatched load is detected.</summary>
    string Name { get; }

    /// <summary>Analyzes <paramref name="text"/> and hands each term, in order, to <paramref name="sink"/>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="sink">Receives the terms; a term span is valid only during the call.</param>
    void Analyze(ReadOnlySpan<char> text, ITermSink sink);
}
