using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmOps.Tests.Caching;

/// <summary>A scripted inner client: answers with a function of the question, streams word by word, counts calls.</summary>
internal sealed class FakeChatClient : IChatClient
{
    private int _calls;

    public Func<IList<ChatMessage>, ChatOptions?, string> Answer { get; set; } = (m, _) => "answer to " + m.Last().Text;

    /// <summary>The finish reason of every answer; <see langword="null"/> for none (a cut stream, some providers).</summary>
    public ChatFinishReason? FinishReason { get; set; } = ChatFinishReason.Stop;

    /// <summary>When set, the finish reason of call N (1-based), overriding <see cref="FinishReason"/>.</summary>
    public Func<int, ChatFinishReason?>? FinishReasonOfCall { get; set; }

    /// <summary>When set, awaited by call N (1-based) before it answers; it may wait on a signal or throw.</summary>
    public Func<int, Task>? OnCall { get; set; }

    public string? ConversationId { get; set; }

    /// <summary>When set, every call waits for it before answering.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>When set, the call (or the stream before chunk N) throws this.</summary>
    public Exception? Fault { get; set; }

    /// <summary>Streaming: the chunk index before which <see cref="Fault"/> is thrown (-1: at the start).</summary>
    public int FaultAtChunk { get; set; } = -1;

    public int Calls => Volatile.Read(ref _calls);

    public List<CancellationToken> Tokens { get; } = [];

    public List<ChatOptions?> SeenOptions { get; } = [];

    public ChatClientMetadata Metadata { get; } = new("fake", null, "fake-model");

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        var call = Enter(options, cancellationToken);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (OnCall is { } hook)
        {
            await hook(call);
        }

        if (Fault is { } fault)
        {
            throw fault;
        }

        var text = Answer(list, options);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            ModelId = options?.ModelId ?? "fake-model",
            FinishReason = FinishReasonOfCall is { } reasonOf ? reasonOf(call) : FinishReason,
            ConversationId = ConversationId,
            Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 50, TotalTokenCount = 150 },
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        var call = Enter(options, cancellationToken);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (OnCall is { } hook)
        {
            await hook(call);
        }

        if (Fault is { } early && FaultAtChunk < 0)
        {
            throw early;
        }

        var words = Answer(list, options).Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            if (Fault is { } fault && FaultAtChunk == i)
            {
                throw fault;
            }

            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, (i == 0 ? string.Empty : " ") + words[i]) { ModelId = options?.ModelId ?? "fake-model", MessageId = "m1" };
        }

        if (Fault is { } late && FaultAtChunk >= words.Length)
        {
            throw late;
        }

        yield return new ChatResponseUpdate
        {
            FinishReason = FinishReasonOfCall is { } reasonOf ? reasonOf(call) : FinishReason,
            ConversationId = ConversationId,
            Contents = [new UsageContent(new UsageDetails { InputTokenCount = 100, OutputTokenCount = 50, TotalTokenCount = 150 })],
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceType == typeof(ChatClientMetadata) ? Metadata : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private int Enter(ChatOptions? options, CancellationToken token)
    {
        var call = Interlocked.Increment(ref _calls);
        lock (Tokens)
        {
            Tokens.Add(token);
            SeenOptions.Add(options);
        }

        return call;
    }
}

/// <summary>
/// A deterministic embedding: a bag of lower-cased words hashed into 64 dimensions, normalised. Questions that share
/// most words are close; "turn on dark mode" and "turn off dark mode" are very close, as with real models.
/// </summary>
/// <summary>Bounded waiting for a condition that another task makes true: yields, never sleeps on wall time.</summary>
internal static class Spin
{
    /// <summary>
    /// Yields until <paramref name="condition"/> holds or the yields run out; returns whether it held. The default budget
    /// is large because under heavy machine load (a load average of 20-30 on 2 cores) 200,000 yields passed before the
    /// leader of 100 concurrent streaming callers reached the provider; a condition that holds returns at once.
    /// </summary>
    public static async Task<bool> UntilAsync(Func<bool> condition, int maxYields = 5_000_000)
    {
        for (var i = 0; i < maxYields; i++)
        {
            if (condition())
            {
                return true;
            }

            await Task.Yield();
        }

        return condition();
    }
}

internal sealed class BagOfWordsEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public Exception? Fault { get; set; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        if (Fault is { } fault)
        {
            throw fault;
        }

        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            result.Add(new Embedding<float>(Embed(value)));
        }

        return Task.FromResult(result);
    }

    public static float[] Embed(string text)
    {
        var vector = new float[64];
        foreach (var word in text.ToLowerInvariant().Split([' ', '?', '.', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            vector[(int)((uint)StableHash(word) % 64)] += 1f;
        }

        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }

        return vector;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private static int StableHash(string s)
    {
        var h = 17;
        foreach (var c in s)
        {
            h = unchecked((h * 31) + c);
        }

        return h;
    }
}
