using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmOps.Tests.Guardrails;

/// <summary>
/// An inner client that records every text the "provider" saw and answers with a scripted reply, either whole or in
/// the given chunks. The reply may be computed from the (already redacted) prompt, like a model echoing placeholders.
/// </summary>
internal sealed class RecordingInnerClient : IChatClient
{
    public List<List<ChatMessage>> Requests { get; } = [];

    public List<ChatOptions?> OptionsSeen { get; } = [];

    public List<CancellationToken> Tokens { get; } = [];

    public Func<IReadOnlyList<ChatMessage>, string> Reply { get; set; } = _ => "ok";

    /// <summary>Gets or sets the chunk boundaries for streaming: the reply is cut into these pieces (the rest is one last chunk).</summary>
    public Func<string, IReadOnlyList<string>>? Chunker { get; set; }

    public Func<Exception>? Fault { get; set; }

    public bool Disposed { get; private set; }

    public int StreamDisposals { get; private set; }

    public string SeenText => string.Join("\n", Requests.SelectMany(r => r).Select(m => m.Text));

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = Record(messages, options, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        if (Fault is not null)
        {
            throw Fault();
        }

        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, Reply(list)))
        {
            ModelId = "test-model",
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 3, OutputTokenCount = 5 },
        });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = Record(messages, options, cancellationToken);
        return StreamAsync(list, cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() => Disposed = true;

    private List<ChatMessage> Record(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var list = messages.ToList();
        lock (Requests)
        {
            Requests.Add(list);
            OptionsSeen.Add(options);
            Tokens.Add(cancellationToken);
        }

        return list;
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(List<ChatMessage> messages, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await Task.Yield();
            var reply = Reply(messages);
            var chunks = Chunker?.Invoke(reply) ?? Split(reply, 7);
            foreach (var chunk in chunks)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (Fault is not null)
                {
                    throw Fault();
                }

                yield return new ChatResponseUpdate(ChatRole.Assistant, chunk) { ModelId = "test-model", ResponseId = "r1", MessageId = "m1" };
            }

            yield return new ChatResponseUpdate { Role = ChatRole.Assistant, FinishReason = ChatFinishReason.Stop, Contents = [new UsageContent(new UsageDetails { OutputTokenCount = 5 })] };
        }
        finally
        {
            StreamDisposals++;
        }
    }

    public static IReadOnlyList<string> Split(string text, int size)
    {
        var chunks = new List<string>();
        for (var i = 0; i < text.Length; i += size)
        {
            chunks.Add(text.Substring(i, Math.Min(size, text.Length - i)));
        }

        return chunks;
    }
}
