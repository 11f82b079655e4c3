using LlmOps.Testing;
using Microsoft.Extensions.AI;

namespace LlmOps.Demo;

/// <summary>
/// The offline model behind the demo: LlmOps' own <see cref="ScriptedChatClient"/> with canned answers, streamed word
/// by word with a simulated time to first token and per-token delay. Not a real LLM.
/// </summary>
internal static class OfflineModel
{
    private static readonly TimeSpan FirstToken = TimeSpan.FromMilliseconds(60);
    private static readonly TimeSpan BetweenTokens = TimeSpan.FromMilliseconds(4);

    public static IChatClient Create() => new ScriptedChatClient(defaultModelId: "offline-scripted")
        .WhenLastUserMessageContains("capital", Canned("The capital of France is Paris."))
        .Otherwise((messages, _) => Canned(
            $"You asked: \"{messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text}\". This offline model answers every question with this canned sentence."));

    private static ScriptedResponse Canned(string text) => ScriptedResponse.FromText(text).ChunkedByWords().WithLatency(FirstToken, BetweenTokens);
}
