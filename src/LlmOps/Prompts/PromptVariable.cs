namespace LlmOps.Prompts;

/// <summary>A variable a <see cref="PromptTemplate"/> declares.</summary>
/// <param name="Name">The variable name, as written between the braces.</param>
/// <param name="Required">Whether rendering fails when no value (and no default) is given.</param>
/// <param name="Default">The value used when none is given; <see langword="null"/> for none.</param>
public sealed record PromptVariable(string Name, bool Required = true, string? Default = null);
