namespace LlmOps.Caching;

/// <summary>What the cache did for a request.</summary>
public enum SemanticCacheStatus
{
    /// <summary>Nothing was found; the inner client answered.</summary>
    Miss,

    /// <summary>A cached (or concurrently shared) answer was served; the inner client was not called.</summary>
    Hit,

    /// <summary>The request was not eligible for caching (see <see cref="SemanticCacheResult.BypassReason"/>); the inner client answered.</summary>
    Bypassed,
}
