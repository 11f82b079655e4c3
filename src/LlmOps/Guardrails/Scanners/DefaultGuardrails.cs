using LlmOps.Guardrails.Injection;

namespace LlmOps.Guardrails.Scanners;

/// <summary>The default offline chain.</summary>
public static class DefaultGuardrails
{
    /// <summary>
    /// Creates the default chain, in order: size limit (input, 256K characters), invisible text (input, strip),
    /// prompt injection (input, block), PII (both, redact-and-restore), secrets (both, redact), JSON output (when JSON
    /// was requested) and system-prompt leak with a canary (output).
    /// </summary>
    /// <returns>New scanner instances.</returns>
    public static IReadOnlyList<IGuardrail> Create() =>
    [
        new SizeLimitGuardrail(),
        new InvisibleTextGuardrail(),
        new PromptInjectionGuardrail(),
        new PiiGuardrail(),
        new SecretsGuardrail(),
        new JsonOutputGuardrail(),
        new SystemPromptLeakGuardrail(),
    ];
}
