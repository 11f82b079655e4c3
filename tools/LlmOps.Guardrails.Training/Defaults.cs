namespace LlmOps.Guardrails.Training;

/// <summary>The settings the shipped model was trained with.</summary>
internal static class Defaults
{
    /// <summary>The operating point chosen by cross-validation (see benchmarks/results/InjectionModelTraining.md).</summary>
    public const double Threshold = 0.7;

    /// <summary>The seed of the synthetic long documents (<see cref="TrainingCorpus.Augment"/>).</summary>
    public const int AugmentationSeed = 7;

    /// <summary>The second stage's band (lowest fast score sent to the head), chosen by <c>cv-head</c>.</summary>
    public const double HeadBandLow = 0.15;

    /// <summary>The second stage's head threshold, chosen by <c>cv-head</c>.</summary>
    public const double HeadThreshold = 0.7;
}
