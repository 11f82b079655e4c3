namespace LlmOps.Metering;

/// <summary>
/// A spending limit in USD for a scope and a window. A request is admitted only when every budget that applies
/// to its scope has room for the request's worst-case cost (nested scopes, such as a tenant and a user in it,
/// are all enforced).
/// </summary>
/// <remarks>
/// Each part of <see cref="Scope"/> that is set must equal the request's part; an unset part matches anything.
/// The part <see cref="Each"/> (<c>*</c>) gives every distinct value its own limit: a budget with tenant <c>*</c>
/// caps each tenant separately, and does not apply to requests without a tenant.
/// </remarks>
/// <param name="Scope">The scope the budget applies to.</param>
/// <param name="Limit">The limit in USD per window; must be zero or more.</param>
/// <param name="Window">The window; <see cref="BudgetWindow.Total"/> never resets.</param>
public sealed record Budget(LlmOpsScope Scope, decimal Limit, BudgetWindow Window = BudgetWindow.Total)
{
    /// <summary>The scope part that gives every distinct value its own limit: <c>*</c>.</summary>
    public const string Each = "*";

    /// <summary>
    /// Gets the soft thresholds, as fractions of the limit in (0, 1]. Crossing one raises
    /// <see cref="BudgetManager.ThresholdReached"/> and the <c>llmops.budget.threshold_reached</c> counter once per window.
    /// </summary>
    /// <value>The default value is <c>[0.8]</c>.</value>
    public IReadOnlyList<double> SoftThresholds { get; init; } = [0.8];

    /// <summary>Gets a name for messages and events; defaults to the scope and window.</summary>
    public string? Name { get; init; }

    /// <summary>Gets the display name: <see cref="Name"/>, or the scope and window.</summary>
    public string DisplayName => Name ?? $"{Scope} per {Window}";

    /// <summary>Checks the budget and returns one message per problem.</summary>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Limit < 0)
        {
            errors.Add($"Budget '{DisplayName}' has a negative Limit ({Limit}); use zero or more USD.");
        }

        if (!Enum.IsDefined(Window))
        {
            errors.Add($"Budget '{DisplayName}' has an unknown Window ({(int)Window}); use Minute, Hour, Day, Month or Total.");
        }

        foreach (var threshold in SoftThresholds ?? [])
        {
            if (double.IsNaN(threshold) || threshold <= 0 || threshold > 1)
            {
                errors.Add($"Budget '{DisplayName}' has a soft threshold of {threshold}; use a fraction in (0, 1], such as 0.8.");
            }
        }

        return errors;
    }

    internal bool Matches(LlmOpsScope scope)
        => Part(Scope.Tenant, scope.Tenant) && Part(Scope.User, scope.User) && Part(Scope.Feature, scope.Feature);

    internal LlmOpsScope Partition(LlmOpsScope scope) => new(
        Scope.Tenant == Each ? scope.Tenant : Scope.Tenant,
        Scope.User == Each ? scope.User : Scope.User,
        Scope.Feature == Each ? scope.Feature : Scope.Feature);

    private static bool Part(string? budget, string? request)
        => budget is null || (budget == Each ? request is not null : string.Equals(budget, request, StringComparison.Ordinal));
}
