namespace LlmOps.Retrieval;

/// <summary>Reorders retrieval candidates for a query (a cross-encoder, an LLM, a business rule).</summary>
public interface IReranker
{
    /// <summary>Returns the candidates in a new order (and optionally with new scores); it may drop candidates.</summary>
    /// <param name="query">The query text.</param>
    /// <param name="candidates">The candidates, best first by the first-stage retriever.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The reranked candidates, best first.</returns>
    Task<IReadOnlyList<RetrievedChunk>> RerankAsync(string query, IReadOnlyList<RetrievedChunk> candidates, CancellationToken cancellationToken = default);
}
