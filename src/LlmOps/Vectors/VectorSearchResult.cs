namespace LlmOps.Vectors;

/// <summary>One hit of a vector search: the entry's key, its cosine similarity to the query, and its scope.</summary>
/// <param name="Key">The caller-chosen key of the entry.</param>
/// <param name="Score">The cosine similarity between the query and the entry, in [-1, 1]; higher is closer.</param>
/// <param name="Scope">The scope the entry was added with, or <see langword="null"/> when it has none.</param>
public readonly record struct VectorSearchResult(string Key, float Score, string? Scope);
