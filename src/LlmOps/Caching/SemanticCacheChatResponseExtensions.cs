using LlmOps.Caching;
using Microsoft.Extensions.AI;

namespace LlmOps;

/// <summary>Reads the cache's provenance from a response.</summary>
public static class SemanticCacheChatResponseExtensions
{
    /// <summary>Gets what the cache did for the request (hit or miss, tier, similarity, age, cost saved), or <see langword="null"/>.</summary>
    /// <param name="response">The response.</param>
    /// <returns>The result or <see langword="null"/> when no cache stage saw the request.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    public static SemanticCacheResult? GetCacheResult(this ChatResponse response)
        => response.GetLlmOpsInfo()?.Get<SemanticCacheResult>();

    /// <summary>Gets the cache result from a streaming update (the pipeline attaches it to the last update).</summary>
    /// <param name="update">The update.</param>
    /// <returns>The result or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> is <see langword="null"/>.</exception>
    public static SemanticCacheResult? GetCacheResult(this ChatResponseUpdate update)
        => update.GetLlmOpsInfo()?.Get<SemanticCacheResult>();
}
