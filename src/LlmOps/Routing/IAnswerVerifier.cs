using Microsoft.Extensions.AI;

namespace LlmOps.Routing;

/// <summary>Checks a cascade tier's answer; a rejection escalates the request to the next tier.</summary>
/// <remarks>Implementations must be thread-safe. A verifier that throws is logged and counts as accepting (fails open).</remarks>
public interface IAnswerVerifier
{
    /// <summary>Gets a short, bounded name for metrics and reasons (for example <c>refusal</c>).</summary>
    string Name { get; }

    /// <summary>Verifies one answer.</summary>
    /// <param name="messages">The request messages.</param>
    /// <param name="options">The request options, or <see langword="null"/>.</param>
    /// <param name="response">The answer.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns><see langword="null"/> to accept; otherwise the reason for rejecting.</returns>
    ValueTask<string?> VerifyAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, ChatResponse response, CancellationToken cancellationToken);
}
