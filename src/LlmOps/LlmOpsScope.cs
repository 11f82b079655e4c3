namespace LlmOps;

/// <summary>
/// Identifies who a request is made for: a tenant, a user within it, and the product feature
/// that made the call. Every stage that keeps state per caller (cache partitions, budgets, the
/// cost ledger) reads the scope from <see cref="LlmOpsChatOptionsExtensions.GetScope"/>.
/// </summary>
/// <remarks>
/// All parts are optional. An empty scope is the global partition. Scope values never become
/// metric tags unless <c>LlmOpsOptions.Telemetry.IncludeScopeInTags</c> opts in, because raw tenant
/// and user ids make metric cardinality unbounded.
/// </remarks>
/// <param name="Tenant">The tenant (customer, organisation), or <see langword="null"/>.</param>
/// <param name="User">The user within the tenant, or <see langword="null"/>.</param>
/// <param name="Feature">The product feature that issued the request, or <see langword="null"/>.</param>
public readonly record struct LlmOpsScope(string? Tenant = null, string? User = null, string? Feature = null)
{
    /// <summary>Gets the empty (global) scope.</summary>
    public static LlmOpsScope Global => default;

    /// <summary>Gets a value indicating whether no part of the scope is set.</summary>
    public bool IsGlobal => Tenant is null && User is null && Feature is null;

    /// <summary>
    /// Returns a stable, unambiguous string form (<c>tenant/user/feature</c> with each part
    /// length-prefixed), suitable as a partition or hash key. Two different scopes never share a key.
    /// </summary>
    /// <returns>The canonical key.</returns>
    public string ToKey() => IsGlobal ? "-" : $"{Part(Tenant)}/{Part(User)}/{Part(Feature)}";

    private static string Part(string? value) => value is null ? "~" : $"{value.Length}:{value}";

    /// <inheritdoc/>
    public override string ToString() => IsGlobal ? "(global)" : $"tenant={Tenant ?? "-"}, user={User ?? "-"}, feature={Feature ?? "-"}";
}
