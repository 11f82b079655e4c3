using LlmOps.Caching;
using Microsoft.Extensions.AI;

namespace LlmOps;

/// <summary>Typed per-request cache settings carried in <see cref="ChatOptions"/>.</summary>
public static class SemanticCacheChatOptionsExtensions
{
    internal const string ModeKey = "llmops.cache.mode";

    /// <summary>Returns a copy of <paramref name="options"/> that uses the cache as <paramref name="mode"/> says (for example, opt out with <see cref="SemanticCacheMode.Bypass"/>).</summary>
    /// <param name="options">The options to copy, or <see langword="null"/>.</param>
    /// <param name="mode">The mode.</param>
    /// <returns>The new options; the caller's are untouched.</returns>
    public static ChatOptions WithCacheMode(this ChatOptions? options, SemanticCacheMode mode)
        => options.WithProperty(ModeKey, mode);

    /// <summary>Gets the cache mode carried by <paramref name="options"/>, or <see cref="SemanticCacheMode.Default"/>.</summary>
    /// <param name="options">The options, or <see langword="null"/>.</param>
    /// <returns>The mode.</returns>
    public static SemanticCacheMode GetCacheMode(this ChatOptions? options)
        => options?.AdditionalProperties?.TryGetValue(ModeKey, out var value) == true && value is SemanticCacheMode mode
            ? mode
            : SemanticCacheMode.Default;
}
