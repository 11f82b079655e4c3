using System.Text;

namespace LlmOps.Maturity;

/// <summary>Where an application stands on the four stages, with the checklist behind it.</summary>
public sealed class MaturityReport
{
    internal MaturityReport(MaturityStage stage, IReadOnlyList<MaturityCheck> checks)
    {
        Stage = stage;
        Checks = checks;
    }

    /// <summary>Gets the stage reached: the highest stage whose items, and every earlier stage's items, are all present.</summary>
    public MaturityStage Stage { get; }

    /// <summary>Gets every checklist item, in stage order.</summary>
    public IReadOnlyList<MaturityCheck> Checks { get; }

    /// <summary>Gets the next stage, or <see langword="null"/> at <see cref="MaturityStage.Optimized"/>.</summary>
    public MaturityStage? NextStage => Stage == MaturityStage.Optimized ? null : Stage + 1;

    /// <summary>Gets the items still missing to reach <see cref="NextStage"/> (including missing items of earlier stages).</summary>
    public IReadOnlyList<MaturityCheck> MissingForNextStage =>
        NextStage is { } next ? [.. Checks.Where(c => c.Stage <= next && !c.Present)] : [];

    /// <inheritdoc/>
    public override string ToString()
    {
        var text = new StringBuilder().Append("Maturity: ").Append(Name(Stage)).Append('\n');
        foreach (MaturityStage stage in Enum.GetValues<MaturityStage>())
        {
            if (stage == MaturityStage.AdHoc)
            {
                continue;
            }

            text.Append("  ").Append(Name(stage)).Append('\n');
            foreach (MaturityCheck check in Checks.Where(c => c.Stage == stage))
            {
                text.Append("    [").Append(check.Present ? 'x' : ' ').Append("] ").Append(check.Title).Append('\n');
            }
        }

        if (NextStage is { } next)
        {
            text.Append("  Next: ").Append(Name(next)).Append(" needs ").Append(string.Join("; ", MissingForNextStage.Select(c => c.HowTo))).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Gets a stage's display name (Ad-hoc, Managed, Automated, Optimized).</summary>
    /// <param name="stage">The stage.</param>
    /// <returns>The name.</returns>
    public static string Name(MaturityStage stage) => stage == MaturityStage.AdHoc ? "Ad-hoc" : stage.ToString();
}
