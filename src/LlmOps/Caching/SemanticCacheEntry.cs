using Microsoft.Extensions.AI;

namespace LlmOps.Caching;

/// <summary>
/// One cached answer with what the cache needs to find, guard, expire and invalidate it. The request is present only
/// as hashes (<see cref="Key"/>, <see cref="Partition"/>, <see cref="ScopeHash"/>) unless
/// <see cref="SemanticCacheOptions.StorePromptText"/> is on.
/// </summary>
public sealed class SemanticCacheEntry
{
    /// <summary>Gets the exact key: the hash of every field that changes the answer.</summary>
    public required SemanticCacheKey Key { get; init; }

    /// <summary>Gets the semantic partition: the same hash with the last user turn left out (scope, model, context, options).</summary>
    public required SemanticCacheKey Partition { get; init; }

    /// <summary>Gets the cached answer. Never handed to callers directly; every hit gets a copy.</summary>
    public required ChatResponse Response { get; init; }

    /// <summary>Gets the streamed chunks as they arrived, when the answer was streamed; replayed on a streaming hit.</summary>
    public IReadOnlyList<ChatResponseUpdate>? Updates { get; init; }

    /// <summary>Gets the normalised embedding of the last user turn, or <see langword="null"/> for an exact-only entry.</summary>
    public ReadOnlyMemory<float>? Embedding { get; init; }

    /// <summary>Gets the guard features of the last user turn, or <see langword="null"/> for an exact-only entry.</summary>
    public SemanticCacheFingerprint? Fingerprint { get; init; }

    /// <summary>Gets when the entry was written.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the entry expires, or <see langword="null"/> for never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Gets the hash of the full scope (tenant, user, feature).</summary>
    public required SemanticCacheKey ScopeHash { get; init; }

    /// <summary>Gets the hash of the tenant alone, for tenant-wide invalidation.</summary>
    public required SemanticCacheKey TenantHash { get; init; }

    /// <summary>Gets the model id the request asked for (or the client's default model).</summary>
    public string? ModelId { get; init; }

    /// <summary>Gets the prompt name, when a prompt produced the request.</summary>
    public string? PromptName { get; init; }

    /// <summary>Gets the prompt version, when a prompt produced the request.</summary>
    public string? PromptVersion { get; init; }

    /// <summary>Gets the last user turn's text, kept only when <see cref="SemanticCacheOptions.StorePromptText"/> is on.</summary>
    public string? PromptText { get; init; }
}
