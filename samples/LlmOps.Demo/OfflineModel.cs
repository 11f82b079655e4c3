using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmOps.Demo;

/// <summary>The offline model behind the demo: canned answers, streamed word by word. Not a real LLM.</summary>
internal static class OfflineModel
{
    public static IChatClient Create() => new CannedClient();

    private sealed class CannedClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var text = Answer(messages);
            var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
            {
                ModelId = options?.ModelId ?? "offline-scripted",
                FinishReason = ChatFinishReason.Stop,
                Usage = Usage(messages, text),
            };
            return Task.FromResult(response);
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var text = Answer(messages);
            foreach (var word in text.Split(' '))
            {
                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
                yield return new ChatResponseUpdate(ChatRole.Assistant, word + " ") { ModelId = options?.ModelId ?? "offline-scripted" };
            }

            yield return new ChatResponseUpdate { FinishReason = ChatFinishReason.Stop, Contents = [new UsageContent(Usage(messages, text))] };
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

        public void Dispose()
        {
        }

        private static string Answer(IEnumerable<ChatMessage> messages)
        {
            var question = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;
            return question.Contains("capital", StringComparison.OrdinalIgnoreCase)
                ? "The capital of France is Paris."
                : $"You asked: \"{question}\". This offline model answers every question with this canned sentence.";
        }

        private static UsageDetails Usage(IEnumerable<ChatMessage> messages, string answer)
        {
            long input = messages.Sum(m => (long)(m.Text.Length / 4 + 4));
            long output = answer.Length / 4 + 1;
            return new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };
        }
    }
}
