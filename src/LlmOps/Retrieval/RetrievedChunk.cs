namespace LlmOps.Retrieval;

/// <summary>One retrieval result: a chunk (with its document id and exact offsets) and its score.</summary>
/// <param name="Chunk">The chunk.</param>
/// <param name="Score">
/// The retriever's score, higher is better: BM25 for <see cref="Bm25Retriever"/>, cosine similarity for
/// <see cref="DenseRetriever"/>, the fused score for <see cref="HybridRetriever"/>. Scores of different retrievers are
/// not comparable.
/// </param>
public sealed record RetrievedChunk(DocumentChunk Chunk, float Score);
