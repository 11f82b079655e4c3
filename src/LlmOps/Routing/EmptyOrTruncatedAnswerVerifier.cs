using Microsoft.Extensions.AI;

namespace LlmOps.Routing;

/// <summary>A cascade verifier that rejects an empty answer, or one cut off by the output limit (finish reason <c>length</c>).</summary>
public sealed class EmptyOrTruncatedAnswerVerifier : IAnswerVerifier
{
    /// <inheritdoc/>
    public string Name => "empty_or_truncated";

    /// <inheritdoc/>
    public ValueTask<string?> VerifyAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, ChatResponse response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new(response.FinishReason == ChatFinishReason.Length ? "the answer was truncated (finish reason length)"
            : string.IsNullOrWhiteSpace(response.Text) && !HasToolCall(response) ? "the answer is empty"
            : null);
    }

    private static bool HasToolCall(ChatResponse response)
    {
        foreach (var message in response.Messages)
        {
            foreach (var content in message.Contents)
            {
                if (content is FunctionCallContent)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
