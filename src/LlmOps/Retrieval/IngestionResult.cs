namespace LlmOps.Retrieval;

/// <summary>What one call to <see cref="DocumentIndex.IngestAsync(IEnumerable{RetrievalDocument}, CancellationToken)"/> did.</summary>
/// <param name="DocumentsAdded">Documents that were new.</param>
/// <param name="DocumentsUpdated">Documents whose chunks changed and were replaced.</param>
/// <param name="DocumentsUnchanged">Documents whose chunks were all unchanged (nothing was done).</param>
/// <param name="ChunksEmbedded">Chunks sent to the embedding generator.</param>
/// <param name="ChunksReused">Chunks whose embedding was reused because their content hash did not change.</param>
/// <param name="ChunksRemoved">Chunks of earlier versions that were removed.</param>
/// <param name="EmbeddingTime">Time spent waiting for the embedding generator.</param>
public sealed record IngestionResult(
    int DocumentsAdded, int DocumentsUpdated, int DocumentsUnchanged, int ChunksEmbedded, int ChunksReused, int ChunksRemoved, TimeSpan EmbeddingTime);
