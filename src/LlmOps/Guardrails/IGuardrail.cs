namespace LlmOps.Guardrails;

/// <summary>A scanner: looks at one text in its context and decides whether it may pass.</summary>
/// <remarks>
/// Implementations must be thread-safe (one instance serves concurrent requests), must not keep the scanned text,
/// and must use <c>RegexOptions.NonBacktracking</c> or a match timeout on every regex that sees user text.
/// </remarks>
public interface IGuardrail
{
    /// <summary>Gets the scanner name used in findings and metrics (bounded, for example <c>pii</c>).</summary>
    string Name { get; }

    /// <summary>Gets the stages this scanner runs in.</summary>
    GuardrailStage Stages { get; }

    /// <summary>Gets what happens when the scanner throws or times out.</summary>
    GuardrailFailureMode FailureMode { get; }

    /// <summary>
    /// Gets a value indicating whether the scanner needs the whole answer (a JSON check) rather than windows of a
    /// stream. Such scanners run once at the end of a stream; in buffered mode the whole answer is then held.
    /// </summary>
    bool ScansCompleteOutput => false;

    /// <summary>Scans a text.</summary>
    /// <param name="text">The text: a message on input; the response text (or a streaming window) on output.</param>
    /// <param name="context">The request context.</param>
    /// <param name="cancellationToken">Cancelled when the caller cancels or the scanner times out.</param>
    /// <returns>The result.</returns>
    ValueTask<GuardrailResult> ScanAsync(string text, GuardrailContext context, CancellationToken cancellationToken);
}
