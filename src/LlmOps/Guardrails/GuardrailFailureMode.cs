namespace LlmOps.Guardrails;

/// <summary>What happens when a scanner throws or times out.</summary>
public enum GuardrailFailureMode
{
    /// <summary>The text passes; a <c>guardrail.error</c> finding is flagged.</summary>
    FailOpen = 0,

    /// <summary>The text is blocked with a <c>guardrail.error</c> finding.</summary>
    FailClosed = 1,
}
