using System.Globalization;
using System.Text;

namespace LlmOps.Caching;

/// <summary>
/// Describes the cache entries to remove: a conjunction of field conditions that every store can evaluate where the
/// entries live (an in-memory scan, a SQL <c>WHERE</c>, a Redis index query), never an opaque predicate.
/// </summary>
/// <remarks>
/// <para>
/// Each non-<see langword="null"/> property is one condition; an entry is selected when it meets all of them, and the
/// description with no condition (<see cref="All"/>) selects every entry. Conditions compare the fields a
/// <see cref="SemanticCacheEntry"/> already carries: <see cref="Key"/>, <see cref="ScopeHash"/> and
/// <see cref="TenantHash"/> by value, <see cref="ModelId"/>, <see cref="PromptName"/> and <see cref="PromptVersion"/>
/// ordinally, and <see cref="CreatedBefore"/> as <c>entry.CreatedAt &lt; CreatedBefore</c>. <see cref="Matches"/> is
/// the reference evaluation, which the in-memory store uses and a store's contract tests can compare against.
/// </para>
/// <para>
/// Start from a factory and add conditions with <c>with</c>:
/// <c>SemanticCacheInvalidation.ForTenant("acme") with { ModelId = "gpt-4o-mini" }</c>, or
/// <c>SemanticCacheInvalidation.ForPrompt("support", "3") with { CreatedBefore = cutoff }</c>.
/// </para>
/// </remarks>
public sealed record SemanticCacheInvalidation
{
    // The global scope's label, hashed once: every exact hit compares the entry's scope label with the request's.
    private static readonly SemanticCacheKey GlobalScopeHash = SemanticCacheKey.Label("scope", null, null, null);

    /// <summary>Gets the exact key the entry must have, or <see langword="null"/> for any.</summary>
    public SemanticCacheKey? Key { get; init; }

    /// <summary>Gets the full-scope hash (tenant, user, feature) the entry must have, or <see langword="null"/> for any.</summary>
    public SemanticCacheKey? ScopeHash { get; init; }

    /// <summary>Gets the tenant hash the entry must have, or <see langword="null"/> for any.</summary>
    public SemanticCacheKey? TenantHash { get; init; }

    /// <summary>Gets the model id the entry must have been answered for (ordinal), or <see langword="null"/> for any.</summary>
    public string? ModelId { get; init; }

    /// <summary>Gets the prompt name the entry must have been produced by (ordinal), or <see langword="null"/> for any.</summary>
    public string? PromptName { get; init; }

    /// <summary>Gets the prompt version the entry must have been produced by (ordinal), or <see langword="null"/> for any.</summary>
    public string? PromptVersion { get; init; }

    /// <summary>Gets the time the entry must have been written before (exclusive), or <see langword="null"/> for any.</summary>
    public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary>Gets a short description of the selection, for logs.</summary>
    public string Description
    {
        get
        {
            var text = new StringBuilder();
            Append(text, "key", Key?.ToString());
            Append(text, "scope", ScopeHash?.ToString());
            Append(text, "tenant", TenantHash?.ToString());
            Append(text, "model", ModelId);
            Append(text, "prompt", PromptName);
            Append(text, "version", PromptVersion);
            Append(text, "created before", CreatedBefore?.ToString("O", CultureInfo.InvariantCulture));
            return text.Length == 0 ? "all" : text.ToString();
        }
    }

    /// <summary>Selects every entry.</summary>
    /// <returns>The selection.</returns>
    public static SemanticCacheInvalidation All() => new();

    /// <summary>Selects the entries of exactly this scope (tenant, user and feature).</summary>
    /// <param name="scope">The scope.</param>
    /// <returns>The selection.</returns>
    public static SemanticCacheInvalidation ForScope(LlmOpsScope scope) => new() { ScopeHash = ScopeHashOf(scope) };

    /// <summary>Selects the entries of every scope of one tenant.</summary>
    /// <param name="tenant">The tenant id.</param>
    /// <returns>The selection.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenant"/> is null or empty.</exception>
    public static SemanticCacheInvalidation ForTenant(string tenant)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        return new() { TenantHash = TenantHashOf(tenant) };
    }

    /// <summary>Selects the entries answered for one model id (ordinal comparison).</summary>
    /// <param name="modelId">The model id.</param>
    /// <returns>The selection.</returns>
    /// <exception cref="ArgumentException"><paramref name="modelId"/> is null or empty.</exception>
    public static SemanticCacheInvalidation ForModel(string modelId)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        return new() { ModelId = modelId };
    }

    /// <summary>Selects the entries produced by a prompt, or by one version of it.</summary>
    /// <param name="name">The prompt name.</param>
    /// <param name="version">The version; <see langword="null"/> selects every version.</param>
    /// <returns>The selection.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty, or <paramref name="version"/> is empty.</exception>
    public static SemanticCacheInvalidation ForPrompt(string name, string? version = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (version is { Length: 0 })
        {
            throw new ArgumentException("The prompt version is empty; pass null to select every version.", nameof(version));
        }

        return new() { PromptName = name, PromptVersion = version };
    }

    /// <summary>Selects the entries written before <paramref name="cutoff"/> (for example <c>now - TimeSpan.FromDays(1)</c>).</summary>
    /// <param name="cutoff">The cutoff (exclusive).</param>
    /// <returns>The selection.</returns>
    public static SemanticCacheInvalidation OlderThan(DateTimeOffset cutoff) => new() { CreatedBefore = cutoff };

    /// <summary>Selects the entry with one exact key.</summary>
    /// <param name="key">The exact key.</param>
    /// <returns>The selection.</returns>
    public static SemanticCacheInvalidation ForKey(SemanticCacheKey key) => new() { Key = key };

    /// <summary>Evaluates the description on one entry: the reference semantics every store must reproduce.</summary>
    /// <param name="entry">The entry.</param>
    /// <returns><see langword="true"/> when the entry is to be removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="entry"/> is <see langword="null"/>.</exception>
    public bool Matches(SemanticCacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return (Key is not { } key || entry.Key == key)
            && (ScopeHash is not { } scope || entry.ScopeHash == scope)
            && (TenantHash is not { } tenant || entry.TenantHash == tenant)
            && (ModelId is null || string.Equals(entry.ModelId, ModelId, StringComparison.Ordinal))
            && (PromptName is null || string.Equals(entry.PromptName, PromptName, StringComparison.Ordinal))
            && (PromptVersion is null || string.Equals(entry.PromptVersion, PromptVersion, StringComparison.Ordinal))
            && (CreatedBefore is not { } before || entry.CreatedAt < before);
    }

    /// <inheritdoc/>
    public override string ToString() => Description;

    /// <summary>Selects one stored entry: its exact key, written no later than it was (a newer rewrite survives).</summary>
    internal static SemanticCacheInvalidation ForEntry(SemanticCacheEntry entry)
        => new() { Key = entry.Key, CreatedBefore = entry.CreatedAt.AddTicks(1) };

    internal static SemanticCacheKey TenantHashOf(string? tenant) => SemanticCacheKey.Label("tenant", tenant);

    internal static SemanticCacheKey ScopeHashOf(LlmOpsScope scope)
        => scope.IsGlobal ? GlobalScopeHash : SemanticCacheKey.Label("scope", scope.Tenant, scope.User, scope.Feature);

    private static void Append(StringBuilder text, string name, string? value)
    {
        if (value is null)
        {
            return;
        }

        if (text.Length > 0)
        {
            text.Append(", ");
        }

        text.Append(name).Append(' ').Append(value);
    }
}
