namespace LlmOps.Retrieval;

/// <summary>
/// A retriever that searches a <see cref="DocumentIndex"/>, whose term statistics and chunk vectors the grounding
/// stage's sufficiency check reads instead of recomputing them.
/// </summary>
internal interface IIndexedRetriever
{
    /// <summary>Gets the index searched, or <see langword="null"/> when the retriever composes other retrievers.</summary>
    DocumentIndex? Index { get; }
}
