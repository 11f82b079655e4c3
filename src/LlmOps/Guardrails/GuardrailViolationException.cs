namespace LlmOps.Guardrails;

/// <summary>
/// Thrown when a guardrail blocks a request or a response and <see cref="GuardrailsOptions.BlockBehavior"/> is
/// <see cref="GuardrailBlockBehavior.Throw"/>. It carries the findings (types, spans, scores, reasons) but never the
/// scanned text.
/// </summary>
public sealed class GuardrailViolationException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="GuardrailViolationException"/> class.</summary>
    public GuardrailViolationException()
        : this("A guardrail blocked the request.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="GuardrailViolationException"/> class.</summary>
    /// <param name="message">The message; it must not contain scanned text.</param>
    public GuardrailViolationException(string message)
        : base(message)
    {
        Findings = [];
    }

    /// <summary>Initializes a new instance of the <see cref="GuardrailViolationException"/> class.</summary>
    /// <param name="message">The message; it must not contain scanned text.</param>
    /// <param name="innerException">The inner exception.</param>
    public GuardrailViolationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Findings = [];
    }

    /// <summary>Initializes a new instance of the <see cref="GuardrailViolationException"/> class.</summary>
    /// <param name="stage">The stage that blocked.</param>
    /// <param name="findings">The findings behind the block.</param>
    public GuardrailViolationException(GuardrailStage stage, IReadOnlyList<GuardrailFinding> findings)
        : base(Describe(stage, findings))
    {
        Stage = stage;
        Findings = findings ?? [];
    }

    /// <summary>Gets the stage that blocked.</summary>
    public GuardrailStage Stage { get; }

    /// <summary>Gets the findings behind the block (never the raw text).</summary>
    public IReadOnlyList<GuardrailFinding> Findings { get; }

    private static string Describe(GuardrailStage stage, IReadOnlyList<GuardrailFinding>? findings)
    {
        var types = findings is null ? string.Empty : string.Join(", ", findings.Select(f => $"{f.Scanner}:{f.Type}").Distinct());
        var where = stage == GuardrailStage.Input ? "request; the model was not called" : "response";
        return $"A guardrail blocked the {where} ({types}). Inspect Findings for spans and reasons, or set GuardrailsOptions.BlockBehavior to Refuse to get a refusal response instead of this exception.";
    }
}
