namespace LlmOps.Guardrails;

/// <summary>How <see cref="GuardrailsChatClient"/> reports a blocked request or response.</summary>
public enum GuardrailBlockBehavior
{
    /// <summary>Throw a <see cref="GuardrailViolationException"/> carrying the findings (never the raw text).</summary>
    Throw = 0,

    /// <summary>Return a safe refusal response whose <see cref="GuardrailReport.Blocked"/> is <see langword="true"/>.</summary>
    Refuse = 1,
}
