namespace LlmOps.Prompts;

/// <summary>One arm of a <see cref="PromptExperiment"/>: a prompt version or label, and its traffic weight.</summary>
/// <param name="Name">The variant name, for example <c>control</c> or <c>shorter</c>.</param>
/// <param name="Weight">The relative traffic weight; zero sends no one.</param>
/// <param name="Version">The prompt version to serve, or <see langword="null"/> to use <paramref name="Label"/>.</param>
/// <param name="Label">The label to serve when <paramref name="Version"/> is <see langword="null"/>.</param>
public sealed record PromptVariant(string Name, double Weight, int? Version = null, string? Label = null);
