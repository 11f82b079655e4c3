namespace LlmOps.Caching;

/// <summary>What a custom verifier (<see cref="SemanticCacheOptions.Verifier"/>) sees about a semantic candidate.</summary>
public readonly struct CacheHitArguments
{
    /// <summary>Initializes a new instance of the <see cref="CacheHitArguments"/> struct.</summary>
    /// <param name="query">The incoming question (the last user turn).</param>
    /// <param name="candidate">The cached entry.</param>
    /// <param name="similarity">The cosine similarity.</param>
    /// <param name="scope">The request scope.</param>
    public CacheHitArguments(string query, SemanticCacheEntry candidate, float similarity, LlmOpsScope scope)
    {
        Query = query;
        Candidate = candidate;
        Similarity = similarity;
        Scope = scope;
    }

    /// <summary>Gets the incoming question (the last user turn).</summary>
    public string Query { get; }

    /// <summary>
    /// Gets the cached entry. Its <see cref="SemanticCacheEntry.PromptText"/> holds the cached question only when
    /// <see cref="SemanticCacheOptions.StorePromptText"/> is on; its answer is always there.
    /// </summary>
    public SemanticCacheEntry Candidate { get; }

    /// <summary>Gets the cosine similarity of the two questions.</summary>
    public float Similarity { get; }

    /// <summary>Gets the request scope.</summary>
    public LlmOpsScope Scope { get; }
}
