namespace LlmOps.Retrieval;

/// <summary>A numbered source given to the model, with what the answer did with it.</summary>
/// <param name="Number">The number the model cites it by (<c>[1]</c>, <c>[2]</c>, …).</param>
/// <param name="DocumentId">The document.</param>
/// <param name="Title">The document's title, if any.</param>
/// <param name="SourceUri">The document's source URI, if any.</param>
/// <param name="Start">The chunk's first character in the document.</param>
/// <param name="Length">The chunk's length in characters.</param>
/// <param name="Score">The retriever's score.</param>
/// <param name="CitingSentences">The answer sentences that cite it; empty when none does.</param>
public sealed record GroundingSource(
    int Number, string DocumentId, string? Title, Uri? SourceUri, int Start, int Length, float Score, IReadOnlyList<string> CitingSentences)
{
    /// <summary>Gets a value indicating whether the answer cites the source.</summary>
    public bool Cited => CitingSentences.Count > 0;
}
