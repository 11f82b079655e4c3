namespace LlmOps.Routing;

/// <summary>
/// Budget-aware downgrade: with metering's <see cref="Metering.BudgetManager"/> registered, a request whose scope has
/// used <see cref="DowngradeAt"/> of a budget goes to a cheaper tier, and one that no tier can admit fails with
/// <see cref="Metering.BudgetExceededException"/> before any provider call.
/// </summary>
public sealed class BudgetRoutingOptions
{
    /// <summary>
    /// Gets or sets the share of a budget (spent plus reserved, over the limit) from which requests chosen by a policy
    /// or by tier move down <see cref="DowngradeSteps"/> tiers; in (0, 1], or <see langword="null"/> for no downgrade.
    /// </summary>
    /// <value>The default value is 0.8.</value>
    public double? DowngradeAt { get; set; } = 0.8;

    /// <summary>Gets or sets how many tiers a near-limit request moves down (never below the cheapest).</summary>
    /// <value>The default value is 1.</value>
    public int DowngradeSteps { get; set; } = 1;

    /// <summary>
    /// Gets or sets a value indicating whether a request that its tier cannot admit (its worst-case cost does not fit
    /// the remaining budget) moves down to the first tier that can, rather than failing.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool DowngradeWhenNotAdmitted { get; set; } = true;

    /// <summary>
    /// Gets or sets the output tokens assumed for a request's worst-case cost when neither the request nor the model sets
    /// a maximum; <see langword="null"/> takes metering's <c>CostMeteringOptions.DefaultMaxOutputTokens</c> (else 4,096).
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? DefaultMaxOutputTokens { get; set; }

    internal BudgetRoutingOptions Clone() => (BudgetRoutingOptions)MemberwiseClone();

    internal void Validate(List<string> errors)
    {
        if (DowngradeAt is { } at && (double.IsNaN(at) || at <= 0 || at > 1))
        {
            errors.Add($"ModelRoutingOptions.Budget.DowngradeAt must be in (0, 1], or null for no downgrade; was {at}.");
        }

        if (DefaultMaxOutputTokens is <= 0)
        {
            errors.Add($"ModelRoutingOptions.Budget.DefaultMaxOutputTokens must be positive, or null for metering's default; was {DefaultMaxOutputTokens}.");
        }

        if (DowngradeSteps < 0)
        {
            errors.Add($"ModelRoutingOptions.Budget.DowngradeSteps must be zero or more; was {DowngradeSteps}.");
        }
    }
}
