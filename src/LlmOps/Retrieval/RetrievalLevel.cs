namespace LlmOps.Retrieval;

/// <summary>What a retriever ranks: chunks, or documents (each represented by its best chunk).</summary>
public enum RetrievalLevel
{
    /// <summary>Chunks; several chunks of one document may be returned.</summary>
    Chunk = 0,

    /// <summary>Documents: at most one result per document, its best chunk, ranked by that chunk's score (what BEIR scores).</summary>
    Document = 1,
}
