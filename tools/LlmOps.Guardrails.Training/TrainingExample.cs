namespace LlmOps.Guardrails.Training;

/// <summary>One labelled text of the training corpus.</summary>
/// <param name="Source">The set it comes from (the unit of cross-validation: one author or one generated set).</param>
/// <param name="Kind">attack, obfuscated, benign, hard, augmented-benign or augmented-attack.</param>
/// <param name="Family">The attack family, or empty.</param>
/// <param name="Text">The text.</param>
internal sealed record TrainingExample(string Source, string Kind, string Family, string Text)
{
    /// <summary>Gets a value indicating whether the text is an attack.</summary>
    public bool IsAttack => Kind is "attack" or "obfuscated" or "augmented-attack";
}
