namespace LlmOps.Caching;

/// <summary>
/// The cache's provenance for one request, stored on <see cref="LlmOpsInfo"/> and read with
/// <c>response.GetCacheResult()</c>: hit or miss, tier, similarity, age, the cost saved, and which guard rejected
/// a near match.
/// </summary>
public sealed class SemanticCacheResult
{
    private bool _stored;
    private string? _notStoredReason;

    /// <summary>Gets what the cache did.</summary>
    public SemanticCacheStatus Status { get; init; }

    /// <summary>Gets the tier that served a hit; <see cref="SemanticCacheTier.None"/> otherwise.</summary>
    public SemanticCacheTier Tier { get; init; }

    /// <summary>Gets the cosine similarity of the served entry (1 for an exact hit), or <see langword="null"/>.</summary>
    public float? Similarity { get; init; }

    /// <summary>Gets how old the served entry was, or <see langword="null"/>.</summary>
    public TimeSpan? Age { get; init; }

    /// <summary>
    /// Gets the provider cost the hit avoided (the price of the cached answer's tokens on its model), or
    /// <see langword="null"/> when no price is known.
    /// </summary>
    public decimal? SavedCost { get; init; }

    /// <summary>Gets the guard that rejected the nearest semantic candidate, or <see cref="SemanticCacheGuards.None"/>.</summary>
    public SemanticCacheGuards RejectedBy { get; init; }

    /// <summary>Gets the similarity of the nearest semantic candidate when it was rejected or below the threshold.</summary>
    public float? CandidateSimilarity { get; init; }

    /// <summary>Gets why the request bypassed the cache, when <see cref="Status"/> is <see cref="SemanticCacheStatus.Bypassed"/>.</summary>
    public string? BypassReason { get; init; }

    /// <summary>Gets a value indicating whether the fresh answer was written to the cache.</summary>
    public bool Stored
    {
        get => _stored;
        internal set
        {
            if (!IsShared)
            {
                _stored = value;
            }
        }
    }

    /// <summary>Gets why a fresh answer was not stored, when <see cref="Stored"/> is <see langword="false"/> after a miss.</summary>
    public string? NotStoredReason
    {
        get => _notStoredReason;
        internal set
        {
            if (!IsShared)
            {
                _notStoredReason = value;
            }
        }
    }

    /// <summary>
    /// Gets a value indicating whether this instance is shared by many requests (a bypass, which records nothing of its
    /// own): the store outcome of a miss is never written to it.
    /// </summary>
    internal bool IsShared { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Status switch
    {
        SemanticCacheStatus.Hit => $"hit ({Tier}, similarity {Similarity:F3}, age {Age}, saved {SavedCost?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"})",
        SemanticCacheStatus.Bypassed => $"bypassed ({BypassReason})",
        _ => RejectedBy != SemanticCacheGuards.None
            ? $"miss (candidate at {CandidateSimilarity:F3} rejected by {RejectedBy})"
            : "miss",
    };
}
