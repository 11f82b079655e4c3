namespace LlmOps.Prompts;

/// <summary>The results of a <see cref="PromptExperiment"/>.</summary>
/// <param name="ExperimentName">The experiment name.</param>
/// <param name="Control">The control variant's name.</param>
/// <param name="Variants">Per-variant figures, control first.</param>
/// <param name="Winner">
/// The variant that beat the control with statistical significance (success rate first, then score), or
/// <see langword="null"/>. The control itself wins when every other variant is significantly worse.
/// </param>
/// <param name="IsStopped">Whether the experiment was stopped.</param>
public sealed record PromptExperimentResults(
    string ExperimentName,
    string Control,
    IReadOnlyList<PromptVariantResult> Variants,
    string? Winner,
    bool IsStopped);
