namespace LlmOps.Maturity;

/// <summary>One item of the maturity checklist.</summary>
/// <param name="Id">A stable id, for example <c>prompt-registry</c>.</param>
/// <param name="Stage">The stage the item belongs to.</param>
/// <param name="Title">What the item is.</param>
/// <param name="Present">Whether the application has it.</param>
/// <param name="HowTo">What counts as evidence and how to add it.</param>
public sealed record MaturityCheck(string Id, MaturityStage Stage, string Title, bool Present, string HowTo);
