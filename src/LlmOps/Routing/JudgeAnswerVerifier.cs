using Microsoft.Extensions.AI;

namespace LlmOps.Routing;

/// <summary>
/// A cascade verifier that asks a judge model (any <see cref="IChatClient"/>) whether the answer fully and correctly
/// answers the request; a reply that does not start with <c>PASS</c> escalates. The judge's own call is not routed.
/// </summary>
public sealed class JudgeAnswerVerifier : IAnswerVerifier
{
    private const string Instructions =
        "You grade answers. Reply with PASS if the answer fully and correctly answers the user's last request, "
        + "otherwise reply FAIL followed by a short reason. Reply with nothing else.";

    private readonly IChatClient _judge;
    private readonly ChatOptions? _options;

    /// <summary>Initializes a new instance of the <see cref="JudgeAnswerVerifier"/> class.</summary>
    /// <param name="judge">The judge model.</param>
    /// <param name="options">Options for the judge's call (its model id, temperature), or <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="judge"/> is <see langword="null"/>.</exception>
    public JudgeAnswerVerifier(IChatClient judge, ChatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(judge);
        _judge = judge;
        _options = options;
    }

    /// <inheritdoc/>
    public string Name => "judge";

    /// <inheritdoc/>
    public async ValueTask<string?> VerifyAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, ChatResponse response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(response);
        var request = string.Empty;
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i].Role == ChatRole.User)
            {
                request = messages[i].Text;
                break;
            }
        }

        ChatMessage[] prompt =
        [
            new(ChatRole.System, Instructions),
            new(ChatRole.User, $"Request:\n{request}\n\nAnswer:\n{response.Text}"),
        ];
        var verdict = await _judge.GetResponseAsync(prompt, _options, cancellationToken).ConfigureAwait(false);
        var text = verdict.Text.TrimStart();
        return text.StartsWith("PASS", StringComparison.OrdinalIgnoreCase) ? null : $"the judge said: {Truncate(text)}";
    }

    private static string Truncate(string text) => text.Length <= 120 ? text : string.Concat(text.AsSpan(0, 120), "…");
}
