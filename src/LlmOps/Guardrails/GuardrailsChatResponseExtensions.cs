using LlmOps.Guardrails;
using Microsoft.Extensions.AI;

namespace LlmOps;

/// <summary>Typed accessors for the guardrail facts LlmOps attaches to responses.</summary>
public static class GuardrailsChatResponseExtensions
{
    /// <summary>Gets the guardrail report of a response, or <see langword="null"/> when no guardrail stage ran.</summary>
    /// <param name="response">The response.</param>
    /// <returns>The report or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    public static GuardrailReport? GetGuardrailReport(this ChatResponse response)
        => response.GetLlmOpsInfo()?.Get<GuardrailReport>();

    /// <summary>Gets the guardrail report carried by a streaming update (the last update of a stream carries it).</summary>
    /// <param name="update">The update.</param>
    /// <returns>The report or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> is <see langword="null"/>.</exception>
    public static GuardrailReport? GetGuardrailReport(this ChatResponseUpdate update)
        => update.GetLlmOpsInfo()?.Get<GuardrailReport>();
}
