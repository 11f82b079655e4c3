namespace LlmOps.Evaluation;

/// <summary>
/// Identifies the LlmOps evaluation package, which provides reference-exact NLP metrics (<c>LlmOps.Evaluation.Metrics</c>)
/// and <c>Microsoft.Extensions.AI.Evaluation</c> evaluators built on them.
/// </summary>
public static class EvaluationPackage
{
    /// <summary>Gets the informational version of the <c>LlmOps.Evaluation</c> assembly.</summary>
    public static string Version { get; } =
        typeof(EvaluationPackage).Assembly.GetName().Version?.ToString() ?? "0.0.0";
}
