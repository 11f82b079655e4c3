namespace LlmOps.Guardrails;

/// <summary>
/// One thing a scanner found. It never holds the matched text itself, only where it was, so findings can be
/// logged, attached to responses and carried by exceptions without leaking sensitive data.
/// </summary>
/// <param name="Type">The finding type, for example <c>pii.email</c>, <c>secret.aws_access_key</c>, <c>injection.override</c>.</param>
/// <param name="Start">The start of the span in the text the scanner saw.</param>
/// <param name="Length">The length of the span.</param>
/// <param name="Score">The confidence in [0, 1].</param>
/// <param name="Reason">A short human-readable reason that contains no scanned text.</param>
public sealed record GuardrailFinding(string Type, int Start, int Length, double Score, string Reason)
{
    /// <summary>Gets the name of the scanner that produced the finding; set by <see cref="GuardrailsChatClient"/>.</summary>
    public string? Scanner { get; init; }

    /// <summary>Gets the stage in which the finding was made; set by <see cref="GuardrailsChatClient"/>.</summary>
    public GuardrailStage Stage { get; init; }

    /// <summary>Gets the placeholder that replaces the span when the text is redacted, or <see langword="null"/>.</summary>
    public string? Replacement { get; init; }
}
