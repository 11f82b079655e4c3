namespace LlmOps.Caching;

/// <summary>A labelled pair already scored: its cosine similarity and whether the guards let it through.</summary>
/// <param name="Similarity">The cosine similarity of the two questions.</param>
/// <param name="GuardsPassed">Whether the enabled guards passed the pair (a rejected pair is never a hit).</param>
/// <param name="ShouldMatch">Whether the pair should share an answer.</param>
public readonly record struct ScoredCachePair(float Similarity, bool GuardsPassed, bool ShouldMatch);
