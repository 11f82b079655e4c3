namespace LlmOps.Evaluation.Judges;

/// <summary>The result of comparing two responses in both orders.</summary>
/// <param name="Winner">The winner when both orders agree; otherwise <see cref="PairwiseWinner.Tie"/>.</param>
/// <param name="FirstOrder">The verdict with response A shown first.</param>
/// <param name="SwappedOrder">The verdict with response B shown first, mapped back to A/B.</param>
/// <param name="PositionBiasSuspected">Whether the two orders named different winners (the judge preferred a position, not a response).</param>
public sealed record PairwiseComparison(PairwiseWinner Winner, PairwiseWinner FirstOrder, PairwiseWinner SwappedOrder, bool PositionBiasSuspected);
