namespace LlmOps.Prompts;

/// <summary>One move of a label: who moved it, when, and from which version to which.</summary>
/// <param name="PromptName">The prompt name.</param>
/// <param name="Label">The label.</param>
/// <param name="FromVersion">The version the label pointed at before, or <see langword="null"/> when it is new.</param>
/// <param name="ToVersion">The version the label points at now.</param>
/// <param name="MovedBy">Who moved it.</param>
/// <param name="MovedAt">When it moved.</param>
public sealed record PromptLabelMove(string PromptName, string Label, int? FromVersion, int ToVersion, string? MovedBy, DateTimeOffset MovedAt);
