namespace LlmOps.Evaluation;

/// <summary>
/// Identifies the LlmOps evaluation package. The evaluators (BLEU, ROUGE, chrF, embedding
/// similarity, LLM-as-judge, groundedness) arrive in a later release; this type lets
/// callers check which package version they reference.
/// </summary>
public static class EvaluationPackage
{
    /// <summary>Gets the informational version of the <c>LlmOps.Evaluation</c> assembly.</summary>
    public static string Version { get; } =
        typeof(EvaluationPackage).Assembly.GetName().Version?.ToString() ?? "0.0.0";
}
