namespace LlmOps.Guardrails;

/// <summary>What a guardrail decided about a text. Values are ordered by severity.</summary>
public enum GuardrailAction
{
    /// <summary>The text passes unchanged.</summary>
    Allow = 0,

    /// <summary>The text passes unchanged, but the findings are recorded and counted.</summary>
    Flag = 1,

    /// <summary>The text passes with the findings replaced (see <see cref="GuardrailResult.RedactedText"/>).</summary>
    Redact = 2,

    /// <summary>The text must not pass; the request or response is blocked.</summary>
    Block = 3,
}
