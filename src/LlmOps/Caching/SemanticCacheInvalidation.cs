namespace LlmOps.Caching;

/// <summary>Selects the cache entries to remove: all, by scope, by tenant, by model, or by prompt name and version.</summary>
public sealed class SemanticCacheInvalidation
{
    private readonly Func<SemanticCacheEntry, bool> _predicate;

    private SemanticCacheInvalidation(string description, Func<SemanticCacheEntry, bool> predicate)
    {
        Description = description;
        _predicate = predicate;
    }

    /// <summary>Gets a short description of the selection, for logs.</summary>
    public string Description { get; }

    /// <summary>Selects every entry.</summary>
    /// <returns>The selection.</returns>
    public static SemanticCacheInvalidation All() => new("all", static _ => true);

    /// <summary>Selects the entries of exactly this scope (tenant, user and feature).</summary>
    /// <param name="scope">The scope.</param>
    /// <returns>The selection.</returns>
    public static SemanticCacheInvalidation ForScope(LlmOpsScope scope)
    {
        var hash = ScopeHashOf(scope);
        return new("scope", e => e.ScopeHash == hash);
    }

    /// <summary>Selects the entries of every scope of one tenant.</summary>
    /// <param name="tenant">The tenant id.</param>
    /// <returns>The selection.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenant"/> is null or empty.</exception>
    public static SemanticCacheInvalidation ForTenant(string tenant)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        var hash = TenantHashOf(tenant);
        return new("tenant", e => e.TenantHash == hash);
    }

    /// <summary>Selects the entries answered for one model id (ordinal comparison).</summary>
    /// <param name="modelId">The model id.</param>
    /// <returns>The selection.</returns>
    /// <exception cref="ArgumentException"><paramref name="modelId"/> is null or empty.</exception>
    public static SemanticCacheInvalidation ForModel(string modelId)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        return new($"model {modelId}", e => string.Equals(e.ModelId, modelId, StringComparison.Ordinal));
    }

    /// <summary>Selects the entries produced by a prompt, or by one version of it.</summary>
    /// <param name="name">The prompt name.</param>
    /// <param name="version">The version; <see langword="null"/> selects every version.</param>
    /// <returns>The selection.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public static SemanticCacheInvalidation ForPrompt(string name, string? version = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new(
            version is null ? $"prompt {name}" : $"prompt {name}@{version}",
            e => string.Equals(e.PromptName, name, StringComparison.Ordinal)
                && (version is null || string.Equals(e.PromptVersion, version, StringComparison.Ordinal)));
    }

    /// <summary>Tests whether an entry is selected.</summary>
    /// <param name="entry">The entry.</param>
    /// <returns><see langword="true"/> when the entry is to be removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="entry"/> is <see langword="null"/>.</exception>
    public bool Matches(SemanticCacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return _predicate(entry);
    }

    /// <inheritdoc/>
    public override string ToString() => Description;

    /// <summary>Selects one stored entry (its exact key and creation time).</summary>
    internal static SemanticCacheInvalidation ForEntry(SemanticCacheEntry entry)
        => new("entry", e => e.Key == entry.Key && e.CreatedAt == entry.CreatedAt);

    internal static SemanticCacheKey TenantHashOf(string? tenant) => SemanticCacheKey.Label("tenant", tenant);

    internal static SemanticCacheKey ScopeHashOf(LlmOpsScope scope) => SemanticCacheKey.Label("scope", scope.Tenant, scope.User, scope.Feature);
}
