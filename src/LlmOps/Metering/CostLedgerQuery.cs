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
        return (Tenant is null || string.Equals(Tenant, record.Scope.Tenant, StringComparison.Ordinal))
            && (User is null || string.Equals(User, record.Scope.User, StringComparison.Ordinal))
            && (Feature is null || string.Equals(Feature, record.Scope.Feature, StringComparison.Ordinal))
            && (Model is null || string.Equals(Model, record.Model, StringComparison.OrdinalIgnoreCase))
            && (From is not { } from || record.Timestamp >= from)
            && (To is not { } to || record.Timestamp < to);
    }
}
