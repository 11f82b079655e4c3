using System.ClientModel;
using System.Text.Json;
using LlmOps.Evaluation.Runs;
using LlmOps.Testing;
using Microsoft.Extensions.AI;
using OpenAI;

namespace LlmOps.Cli.Eval;

/// <summary>
/// The systems <c>llmops eval run</c> can evaluate: <c>responses:FILE.jsonl</c> (answers already produced, one
/// <c>{"id": ..., "response": ...}</c> per line), <c>replay:CASSETTE.json</c> (a recorded cassette, offline) or
/// <c>openai:MODEL</c> (an OpenAI-compatible endpoint from <c>LLMOPS_OPENAI_ENDPOINT</c> and <c>LLMOPS_OPENAI_API_KEY</c>).
/// </summary>
internal static class EvalTargets
{
    public const string Help = "The system to evaluate: responses:FILE.jsonl (answers already produced: {\"id\", \"response\"} per line), replay:CASSETTE.json (a recorded cassette, offline), or openai:MODEL (endpoint from LLMOPS_OPENAI_ENDPOINT, key from LLMOPS_OPENAI_API_KEY).";

    public static async Task<IChatClient> CreateAsync(string target, EvaluationDataset dataset, CancellationToken cancellationToken)
    {
        int colon = target.IndexOf(':', StringComparison.Ordinal);
        string kind = colon < 0 ? target : target[..colon];
        string value = colon < 0 ? string.Empty : target[(colon + 1)..];
        switch (kind)
        {
            case "responses" when value.Length > 0:
                return await ResponsesAsync(value, dataset, cancellationToken).ConfigureAwait(false);
            case "replay" when value.Length > 0:
                CliContext.RequireFile(value, "cassette");
                return new ReplayChatClient(null, new ReplayChatClientOptions { CassettePath = value, Mode = ReplayMode.Replay });
            case "openai" when value.Length > 0:
                string endpoint = Environment.GetEnvironmentVariable("LLMOPS_OPENAI_ENDPOINT") is { Length: > 0 } e
                    ? e
                    : throw new CliException(ExitCodes.UsageError, "--target openai:MODEL needs LLMOPS_OPENAI_ENDPOINT (for example https://api.openai.com/v1) and LLMOPS_OPENAI_API_KEY in the environment.");
                string key = Environment.GetEnvironmentVariable("LLMOPS_OPENAI_API_KEY") ?? "unused";
                return new OpenAIClient(new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(endpoint) }).GetChatClient(value).AsIChatClient();
            default:
                throw new CliException(ExitCodes.UsageError, $"--target '{target}' is not a known target. {Help}");
        }
    }

    private static async Task<IChatClient> ResponsesAsync(string path, EvaluationDataset dataset, CancellationToken cancellationToken)
    {
        CliContext.RequireFile(path, "responses file");
        var byId = new Dictionary<string, string>(StringComparer.Ordinal);
        int number = 0;
        foreach (string line in await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line) || line.StartsWith('#'))
            {
                continue;
            }

            try
            {
                using JsonDocument doc = JsonDocument.Parse(line);
                byId[doc.RootElement.GetProperty("id").ToString()] = doc.RootElement.GetProperty("response").GetString() ?? string.Empty;
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new CliException(ExitCodes.InputError, $"{path}:{number}: expected {{\"id\": \"...\", \"response\": \"...\"}} ({e.Message}).");
            }
        }

        // The run sends each item's input; the answer is looked up by the input of the item with that id.
        var byInput = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (EvaluationItem item in dataset.Items)
        {
            if (byId.TryGetValue(item.Id, out string? response))
            {
                byInput[item.Input] = response;
            }
        }

        return new ScriptedChatClient().Otherwise((messages, _) => byInput.TryGetValue(messages[^1].Text, out string? answer)
            ? ScriptedResponse.FromText(answer)
            : throw new InvalidOperationException($"{path} has no response for this item; add a line with its id."));
    }
}
