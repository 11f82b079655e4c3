namespace LlmOps.Guardrails;

/// <summary>Where a text is scanned: on its way to the model, or on its way back to the caller.</summary>
[Flags]
public enum GuardrailStage
{
    /// <summary>No stage.</summary>
    None = 0,

    /// <summary>The request messages, before the inner client is called.</summary>
    Input = 1,

    /// <summary>The response text, before the caller sees it.</summary>
    Output = 2,

    /// <summary>Both stages.</summary>
    Both = Input | Output,
}
