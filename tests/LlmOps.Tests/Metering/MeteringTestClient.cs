using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmOps.Tests.Metering;

/// <summary>A hand-written provider double: fixed text, usage reported (or not), optional fault and per-chunk hooks.</summary>
internal sealed class MeteringTestClient : IChatClient
{
    private int _calls;

    public string ModelId { get; set; } = "gpt-4o";

    public string[] Chunks { get; set; } = [" hello", " world"];

    /// <summary>Usage for the non-streaming response and, split in two pieces, for the stream; null reports none.</summary>
    public UsageDetails? Usage { get; set; } = new() { InputTokenCount = 100, OutputTokenCount = 20 };

    /// <summary>Where in the stream usage arrives: at the start (input) and end (output), or only at the end.</summary>
    public bool SplitUsage { get; set; } = true;

    public Exception? Fault { get; set; }

    /// <summary>Stream: whether the last update carries a finish reason (a cut connection has none).</summary>
    public bool EmitFinishReason { get; set; } = true;

    /// <summary>Stream: fault after this many text chunks.</summary>
    public int? FaultAfterChunks { get; set; }

    public int Calls => _calls;

    public ChatOptions? LastOptions { get; private set; }

    public CancellationToken LastToken { get; private set; }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        LastOptions = options;
        LastToken = cancellationToken;
        cancellationToken.ThrowIfCancellationRequested();
        if (Fault is not null)
        {
            throw Fault;
        }

        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, string.Concat(Chunks))) { ModelId = ModelId, Usage = Clone(Usage) };
        return Task.FromResult(response);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        LastOptions = options;
        LastToken = cancellationToken;
        await Task.Yield();
        if (Usage is not null && SplitUsage)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = Usage.InputTokenCount, CachedInputTokenCount = Usage.CachedInputTokenCount })]) { ModelId = ModelId };
        }

        for (var i = 0; i < Chunks.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (FaultAfterChunks == i)
            {
                throw Fault ?? new InvalidOperationException("fault");
            }

            var lastWithoutUsage = Usage is null && EmitFinishReason && i == Chunks.Length - 1;
            yield return new ChatResponseUpdate(ChatRole.Assistant, Chunks[i]) { ModelId = ModelId, FinishReason = lastWithoutUsage ? ChatFinishReason.Stop : null };
        }

        if (Usage is not null)
        {
            var last = SplitUsage
                ? new UsageDetails { OutputTokenCount = Usage.OutputTokenCount }
                : Clone(Usage)!;
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(last)]) { ModelId = ModelId, FinishReason = EmitFinishReason ? ChatFinishReason.Stop : null };
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("test", null, ModelId) : null;

    public void Dispose()
    {
    }

    private static UsageDetails? Clone(UsageDetails? u) => u is null ? null : new UsageDetails
    {
        InputTokenCount = u.InputTokenCount,
        CachedInputTokenCount = u.CachedInputTokenCount,
        OutputTokenCount = u.OutputTokenCount,
        AdditionalCounts = u.AdditionalCounts is null ? null : new AdditionalPropertiesDictionary<long>(u.AdditionalCounts),
    };
}
