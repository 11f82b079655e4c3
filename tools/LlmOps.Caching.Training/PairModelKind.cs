namespace LlmOps.Caching.Training;

/// <summary>The model family.</summary>
internal enum PairModelKind
{
    /// <summary>Gradient-boosted trees (shipped).</summary>
    Trees,

    /// <summary>Logistic regression (the earlier model, for comparison).</summary>
    Logistic,
}
