namespace LlmOps.Evaluation.Judges;

/// <summary>The outcome of a <see cref="PairwiseJudge"/> comparison.</summary>
public enum PairwiseWinner
{
    /// <summary>Neither response won in both orders: the judge said tie, or its verdict followed the position.</summary>
    Tie,

    /// <summary>The first response won in both orders.</summary>
    A,

    /// <summary>The second response won in both orders.</summary>
    B,
}
