using LlmOps.Guardrails;
using LlmOps.Guardrails.Scanners;
using Microsoft.Extensions.AI;

namespace LlmOps.Routing;

/// <summary>
/// A cascade verifier that rejects an answer that is not valid JSON, or does not follow the schema, when the request
/// asked for JSON (<see cref="ChatOptions.ResponseFormat"/>). Requests that did not ask for JSON are accepted.
/// </summary>
public sealed class JsonSchemaAnswerVerifier : IAnswerVerifier
{
    private readonly JsonOutputGuardrail _json = new();

    /// <inheritdoc/>
    public string Name => "json_schema";

    /// <inheritdoc/>
    public async ValueTask<string?> VerifyAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, ChatResponse response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(response);
        if (options?.ResponseFormat is not ChatResponseFormatJson)
        {
            return null;
        }

        var result = await _json.ScanAsync(response.Text, new GuardrailContext(GuardrailStage.Output, messages, options), cancellationToken).ConfigureAwait(false);
        return result.Action == GuardrailAction.Block
            ? result.Findings.Count > 0 ? result.Findings[0].Reason : "the answer does not follow the requested JSON format"
            : null;
    }
}
