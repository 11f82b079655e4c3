namespace LlmOps.Metering;

/// <summary>A filter over ledger records. Unset parts match everything.</summary>
public sealed record CostLedgerQuery
{
    /// <summary>Gets a query that matches every record.</summary>
    public static CostLedgerQuery All { get; } = new();

    /// <summary>Gets the tenant to match, or <see langword="null"/> for any.</summary>
    public string? Tenant { get; init; }

    /// <summary>Gets the user to match, or <see langword="null"/> for any.</summary>
    public string? User { get; init; }

    /// <summary>Gets the feature to match, or <see langword="null"/> for any.</summary>
    public string? Feature { get; init; }

    /// <summary>Gets the model to match (case-insensitive), or <see langword="null"/> for any.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the inclusive start of the time range, or <see langword="null"/>.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Gets the exclusive end of the time range, or <see langword="null"/>.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Returns whether a record matches the query.</summary>
    /// <param name="record">The record.</param>
    /// <returns><see langword="true"/> when it matches.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is <see langword="null"/>.</exception>
    public bool Matches(CostRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Matches(record.Scope, record.Model, record.Timestamp);
    }

    /// <summary>Returns whether a record with this scope, model and timestamp matches the query.</summary>
    internal bool Matches(LlmOpsScope scope, string model, DateTimeOffset timestamp)
        => (Tenant is null || string.Equals(Tenant, scope.Tenant, StringComparison.Ordinal))
        && (User is null || string.Equals(User, scope.User, StringComparison.Ordinal))
        && (Feature is null || string.Equals(Feature, scope.Feature, StringComparison.Ordinal))
        && (Model is null || string.Equals(Model, model, StringComparison.OrdinalIgnoreCase))
        && (From is not { } from || timestamp >= from)
        && (To is not { } to || timestamp < to);
}
