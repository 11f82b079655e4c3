namespace LlmOps.Metering;

/// <summary>The state of one budget partition.</summary>
/// <param name="Budget">The budget.</param>
/// <param name="Scope">The partition.</param>
/// <param name="Spent">The amount spent in the current window, in USD.</param>
/// <param name="Reserved">The amount reserved by requests in flight, in USD.</param>
/// <param name="WindowStart">The start of the current window.</param>
/// <param name="ResetsAt">When the window resets, or <see langword="null"/> for a total budget.</param>
public sealed record BudgetStatus(Budget Budget, LlmOpsScope Scope, decimal Spent, decimal Reserved, DateTimeOffset WindowStart, DateTimeOffset? ResetsAt)
{
    /// <summary>Gets the amount still available: the limit minus spent and reserved, never below 0.</summary>
    public decimal Remaining => Math.Max(0m, Budget.Limit - Spent - Reserved);
}
