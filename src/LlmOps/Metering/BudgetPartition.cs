namespace LlmOps.Metering;

/// <summary>One budget's counter for one scope: the unit a <see cref="IBudgetStore"/> keeps spend and reservations in.</summary>
/// <param name="Budget">The budget.</param>
/// <param name="Scope">The partition of the budget's scope that a request falls in (see <see cref="Budget.Each"/>).</param>
public readonly record struct BudgetPartition(Budget Budget, LlmOpsScope Scope);
