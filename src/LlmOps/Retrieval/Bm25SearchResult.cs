namespace LlmOps.Retrieval;

/// <summary>One hit of a <see cref="Bm25Index"/> search.</summary>
/// <param name="Key">The key the text was indexed under.</param>
/// <param name="Score">The BM25 score (higher is better; not comparable across queries or scopes).</param>
public readonly record struct Bm25SearchResult(string Key, float Score);
