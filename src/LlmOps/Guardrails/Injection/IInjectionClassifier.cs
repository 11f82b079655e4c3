namespace LlmOps.Guardrails.Injection;

/// <summary>
/// A plug-in point for a model-based prompt-injection classifier (a fine-tuned model, an LLM judge, an embedding kNN
/// over known attacks). <see cref="PromptInjectionGuardrail"/> combines its score with the offline heuristics by taking
/// the maximum.
/// </summary>
public interface IInjectionClassifier
{
    /// <summary>Scores a window of text.</summary>
    /// <param name="text">The window (at most <see cref="PromptInjectionGuardrail.WindowSize"/> characters).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The probability in [0, 1] that the text is an injection attempt.</returns>
    ValueTask<double> ScoreAsync(string text, CancellationToken cancellationToken);
}
