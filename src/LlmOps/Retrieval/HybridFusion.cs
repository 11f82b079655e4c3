namespace LlmOps.Retrieval;

/// <summary>How <see cref="HybridRetriever"/> combines the lexical and dense rankings.</summary>
public enum HybridFusion
{
    /// <summary>
    /// Reciprocal Rank Fusion (Cormack, Clarke and Büttcher, SIGIR 2009): <c>Σ weight / (k + rank)</c>, ranks from 1.
    /// Needs no score calibration, which is why it is the default.
    /// </summary>
    ReciprocalRank = 0,

    /// <summary>
    /// Weighted sum of min-max normalised scores (each list's scores mapped to [0, 1]; a result absent from a list
    /// gets 0 from it).
    /// </summary>
    WeightedScore = 1,
}
