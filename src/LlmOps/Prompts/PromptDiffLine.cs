namespace LlmOps.Prompts;

/// <summary>One line of a <see cref="PromptRegistry.DiffAsync"/> result.</summary>
/// <param name="Kind">' ' unchanged, '-' only in the first version, '+' only in the second.</param>
/// <param name="Text">The line.</param>
public sealed record PromptDiffLine(char Kind, string Text)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Kind} {Text}";
}
