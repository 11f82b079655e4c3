namespace LlmOps.Retrieval;

/// <summary>Finds the chunks most relevant to a query within one scope. Implementations are thread-safe.</summary>
public interface IRetriever
{
    /// <summary>Retrieves the best chunks (or documents) for a query, best first.</summary>
    /// <param name="query">The query.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>At most <see cref="RetrievalQuery.Top"/> results, best first, all from <see cref="RetrievalQuery.Scope"/>.</returns>
    Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(RetrievalQuery query, CancellationToken cancellationToken = default);
}
