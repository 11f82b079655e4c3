using LlmOps.Guardrails;
using Microsoft.Extensions.AI;

namespace LlmOps.Routing;

/// <summary>
/// A cascade verifier that runs output guardrails on the answer; a scanner that blocks it escalates the request. Only
/// scanners whose <see cref="IGuardrail.Stages"/> include <see cref="GuardrailStage.Output"/> run.
/// </summary>
public sealed class GuardrailAnswerVerifier : IAnswerVerifier
{
    private readonly IGuardrail[] _guardrails;

    /// <summary>Initializes a new instance of the <see cref="GuardrailAnswerVerifier"/> class.</summary>
    /// <param name="guardrails">The scanners.</param>
    /// <param name="name">The verifier's name in reasons and metrics.</param>
    /// <exception cref="ArgumentNullException"><paramref name="guardrails"/> is <see langword="null"/>.</exception>
    public GuardrailAnswerVerifier(IEnumerable<IGuardrail> guardrails, string name = "guardrails")
    {
        ArgumentNullException.ThrowIfNull(guardrails);
        ArgumentException.ThrowIfNullOrEmpty(name);
        _guardrails = [.. guardrails.Where(static g => g is not null && g.Stages.HasFlag(GuardrailStage.Output))];
        Name = name;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public async ValueTask<string?> VerifyAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, ChatResponse response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(response);
        var context = new GuardrailContext(GuardrailStage.Output, messages, options);
        var text = response.Text;
        foreach (var guardrail in _guardrails)
        {
            var result = await guardrail.ScanAsync(text, context, cancellationToken).ConfigureAwait(false);
            if (result.Action == GuardrailAction.Block)
            {
                return result.Findings.Count > 0 ? $"{guardrail.Name}: {result.Findings[0].Reason}" : $"{guardrail.Name} blocked the answer";
            }
        }

        return null;
    }
}
