namespace LlmOps.Caching;

/// <summary>The nearest cached entry in a semantic partition and its cosine similarity to the query.</summary>
/// <param name="Entry">The entry.</param>
/// <param name="Similarity">The cosine similarity, in [-1, 1].</param>
public readonly record struct SemanticCacheMatch(SemanticCacheEntry Entry, float Similarity);
