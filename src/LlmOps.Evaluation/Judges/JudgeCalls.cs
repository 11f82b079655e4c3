using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LlmOps.Evaluation.Judges;

/// <summary>Calls the judge with bounded retries on malformed answers.</summary>
internal static class JudgeCalls
{
    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key carrying the run number, so a caching client keeps runs apart.</summary>
    public const string RunProperty = "llmops.judge.run";

    /// <summary>The key carrying the attempt number, so a retry is not answered from the cache with the malformed answer.</summary>
    public const string AttemptProperty = "llmops.judge.attempt";

    public delegate bool Parser<T>(string answer, out T value, out string problem);

    /// <summary>Runs one judge run; returns the parsed answer, or the last problem when every attempt was malformed.</summary>
    public static async Task<(bool Ok, T Value, string Problem)> AskAsync<T>(
        IChatClient judge,
        IReadOnlyList<ChatMessage> prompt,
        JudgeOptions options,
        int run,
        Parser<T> parse,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        string problem = string.Empty;
        for (int attempt = 1; attempt <= options.MaxAttempts; attempt++)
        {
            ChatOptions chatOptions = options.ChatOptions?.Clone() ?? new ChatOptions();
            chatOptions.AdditionalProperties = chatOptions.AdditionalProperties is null ? [] : new AdditionalPropertiesDictionary(chatOptions.AdditionalProperties);
            chatOptions.AdditionalProperties[RunProperty] = run;
            chatOptions.AdditionalProperties[AttemptProperty] = attempt;
            ChatResponse response = await judge.GetResponseAsync(prompt, chatOptions, cancellationToken).ConfigureAwait(false);
            if (parse(response.Text, out T value, out problem))
            {
                return (true, value, string.Empty);
            }

            EvaluationLog.JudgeAnswerMalformed(logger, problem, run, attempt, options.MaxAttempts);
        }

        EvaluationLog.JudgeGaveUp(logger, options.MaxAttempts, problem);
        return (false, default!, problem);
    }

    public static string ConversationText(IEnumerable<ChatMessage> messages)
    {
        var parts = new List<string>();
        foreach (ChatMessage m in messages)
        {
            if (m.Role != ChatRole.System && !string.IsNullOrWhiteSpace(m.Text))
            {
                parts.Add($"{m.Role.Value}: {m.Text}");
            }
        }

        return parts.Count == 0 ? "(no question)" : string.Join("\n", parts);
    }
}
