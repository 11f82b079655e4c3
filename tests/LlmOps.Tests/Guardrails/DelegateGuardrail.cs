using LlmOps.Guardrails;

namespace LlmOps.Tests.Guardrails;

/// <summary>A scanner whose behaviour each test supplies.</summary>
internal sealed class DelegateGuardrail(string name, Func<string, GuardrailContext, CancellationToken, Task<GuardrailResult>> scan) : IGuardrail
{
    public string Name => name;

    public GuardrailStage Stages { get; init; } = GuardrailStage.Both;

    public GuardrailFailureMode FailureMode { get; init; } = GuardrailFailureMode.FailClosed;

    public ValueTask<GuardrailResult> ScanAsync(string text, GuardrailContext context, CancellationToken cancellationToken) => new(scan(text, context, cancellationToken));
}
