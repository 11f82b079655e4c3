namespace LlmOps.Metering;

/// <summary>The data of <see cref="BudgetManager.ThresholdReached"/>.</summary>
/// <param name="Budget">The budget.</param>
/// <param name="Scope">The scope (partition) that crossed the threshold.</param>
/// <param name="Threshold">The threshold crossed, as a fraction of the limit.</param>
/// <param name="Spent">The amount spent in the window, in USD.</param>
/// <param name="Reserved">The amount reserved by requests in flight, in USD.</param>
public sealed record BudgetThresholdEventArgs(Budget Budget, LlmOpsScope Scope, double Threshold, decimal Spent, decimal Reserved);
