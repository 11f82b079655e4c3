using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace LlmOps.Routing;

/// <summary>
/// A cascade verifier that rejects a refusal ("I'm sorry, but I can't help with that", "As an AI language model, I
/// cannot …") found in the first 400 characters of the answer. English phrasing; non-backtracking regex.
/// </summary>
public sealed class RefusalAnswerVerifier : IAnswerVerifier
{
    private const int Window = 400;

    private static readonly Regex Refusal = new(
        @"\b(i'?m sorry|i am sorry|sorry|unfortunately)\b[^.!?]{0,60}\b(can'?t|cannot|can not|unable|won'?t|not able)\b"
        + @"|\bi (can'?t|cannot|won'?t|am unable to|'m unable to|am not able to|'m not able to) (help|assist|provide|comply|do that|answer|fulfil|fulfill)"
        + @"|\bas an ai( language model)?\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    /// <inheritdoc/>
    public string Name => "refusal";

    /// <inheritdoc/>
    public ValueTask<string?> VerifyAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, ChatResponse response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = response.Text;
        var head = text.Length > Window ? text.AsSpan(0, Window) : text.AsSpan();
        return new(Refusal.IsMatch(head) ? "the answer is a refusal" : null);
    }
}
