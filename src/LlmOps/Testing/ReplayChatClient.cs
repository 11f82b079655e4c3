using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmOps.Testing;

/// <summary>
/// Records a real client's answers into a JSON cassette file and replays them deterministically, so tests that once
/// needed a provider run offline and give the same answer every time.
/// </summary>
/// <remarks>
/// <para>
/// A request is identified by a key: the SHA-256 of a canonical form of the request (each message's role, text,
/// tool calls and results, and attached data (by hash) or links, plus the model id, instructions, temperature, top-p, top-k, max output tokens, penalties, seed, stop
/// sequences, response format and tool names). <see cref="ChatOptions.AdditionalProperties"/> do not take part.
/// See <see cref="ComputeRequestKey"/>.
/// </para>
/// <para>
/// A streamed answer is recorded as its text chunks and replayed as the same chunks, followed by a final update with
/// the recorded usage. A non-streaming answer can be replayed streaming (as one chunk) and vice versa. Only text is
/// recorded: tool-call contents in answers are not. Failed, cancelled or abandoned streams are never recorded.
/// </para>
/// <para>
/// The cassette is loaded when the client is created and rewritten after each recorded answer, through a temporary
/// file that then replaces it, so a crash never leaves a half-written cassette. The client is safe for concurrent calls.
/// </para>
/// <para>
/// It is not a <see cref="DelegatingChatClient"/>: in <see cref="ReplayMode.Replay"/> it needs no inner client at all,
/// which is how a test proves that it never reaches the network.
/// </para>
/// </remarks>
public sealed class ReplayChatClient : IChatClient
{
    private readonly IChatClient? _innerClient;
    private readonly ReplayMode _mode;
    private readonly bool _passThroughMissing;

    /// <summary>Initializes a new instance of the <see cref="ReplayChatClient"/> class.</summary>
    /// <param name="innerClient">The real client. May be <see langword="null"/> only in <see cref="ReplayMode.Replay"/> without
    /// <see cref="ReplayChatClientOptions.PassThroughMissing"/>.</param>
    /// <param name="options">The options; <see cref="ReplayChatClientOptions.CassettePath"/> is required.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options are invalid, or the mode needs an inner client and none was given.</exception>
    /// <exception cref="CassetteFormatException">The cassette file exists but cannot be read.</exception>
    public ReplayChatClient(IChatClient? innerClient, ReplayChatClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.CassettePath))
        {
            throw new ArgumentException(
                $"{nameof(ReplayChatClientOptions)}.{nameof(ReplayChatClientOptions.CassettePath)} is required: set it to the JSON file that holds the recordings.",
                nameof(options));
        }

        if (!Enum.IsDefined(options.Mode))
        {
            throw new ArgumentException(
                $"{nameof(ReplayChatClientOptions)}.{nameof(ReplayChatClientOptions.Mode)} has the undefined value {(int)options.Mode}.", nameof(options));
        }

        if (innerClient is null && (options.Mode != ReplayMode.Replay || options.PassThroughMissing))
        {
            throw new ArgumentException(
                $"ReplayMode.{options.Mode}{(options.PassThroughMissing ? " with PassThroughMissing" : string.Empty)} needs an inner client to call; pass one, or use ReplayMode.Replay.",
                nameof(innerClient));
        }

        _innerClient = innerClient;
        _mode = options.Mode;
        _passThroughMissing = options.PassThroughMissing;
        Cassette = Cassette.Load(options.CassettePath);
    }

    /// <summary>Gets the full path of the cassette file.</summary>
    public string CassettePath => Cassette.Path;

    /// <summary>Gets the mode the cassette is used in.</summary>
    public ReplayMode Mode => _mode;

    /// <summary>Gets the number of recorded requests in the cassette.</summary>
    public int RecordedCount => Cassette.Count;

    internal Cassette Cassette { get; }

    /// <summary>Computes the key a request is recorded under: the lowercase hex SHA-256 of its canonical form.</summary>
    /// <param name="messages">The request's messages.</param>
    /// <param name="options">The request's options, or <see langword="null"/>.</param>
    /// <returns>The 64-character key.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    public static string ComputeRequestKey(IEnumerable<ChatMessage> messages, ChatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return ReplayRequestKey.Hash(ReplayRequestKey.Canonicalize(messages as IReadOnlyList<ChatMessage> ?? [.. messages], options));
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();

        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var canonical = ReplayRequestKey.Canonicalize(list, options);
        var key = ReplayRequestKey.Hash(canonical);

        if (_mode != ReplayMode.Record && Cassette.TryGet(key, out var entry))
        {
            return ToResponse(entry);
        }

        var inner = InnerFor(key, list);
        var response = await inner.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        if (_mode != ReplayMode.Replay)
        {
            await Cassette.PutAsync(new CassetteEntry
            {
                Key = key,
                Request = ParseCanonical(canonical),
                Response = FromResponse(response),
            }).ConfigureAwait(false);
        }

        return response;
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return StreamAsync(messages, options, cancellationToken);
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType.IsInstanceOfType(this))
        {
            return this;
        }

        return _innerClient?.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc/>
    public void Dispose() => _innerClient?.Dispose();

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var canonical = ReplayRequestKey.Canonicalize(list, options);
        var key = ReplayRequestKey.Hash(canonical);

        if (_mode != ReplayMode.Record && Cassette.TryGet(key, out var entry))
        {
            foreach (var update in ToUpdates(entry))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return update;
            }

            yield break;
        }

        var inner = InnerFor(key, list);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in inner.GetStreamingResponseAsync(list, options, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
            yield return update;
        }

        // Reached only when the stream completed: a fault, a cancellation or an early break never records.
        if (_mode != ReplayMode.Replay)
        {
            var chunks = new List<string>();
            foreach (var update in updates)
            {
                var text = update.Text;
                if (text.Length > 0)
                {
                    chunks.Add(text);
                }
            }

            await Cassette.PutAsync(new CassetteEntry
            {
                Key = key,
                Request = ParseCanonical(canonical),
                Response = FromResponse(updates.ToChatResponse()),
                Chunks = chunks,
            }).ConfigureAwait(false);
        }
    }

    private IChatClient InnerFor(string key, IReadOnlyList<ChatMessage> messages)
    {
        if (_mode != ReplayMode.Replay || _passThroughMissing)
        {
            return _innerClient!;
        }

        var lastUser = ScriptedChatClient.LastUserText(messages);
        var quoted = lastUser is null ? "(none)" : $"\"{ScriptedChatClient.Truncate(lastUser, 120)}\"";
        var file = Cassette.Existed
            ? $"The cassette holds {Cassette.Count} recording(s)."
            : "The cassette file does not exist yet.";
        throw new CassetteEntryNotFoundException(key, Cassette.Path, $"Last user message: {quoted}. {file}");
    }

    private static JsonElement ParseCanonical(byte[] canonical)
    {
        using var document = JsonDocument.Parse(canonical);
        return document.RootElement.Clone();
    }

    private static CassetteResponse FromResponse(ChatResponse response) => new()
    {
        Text = response.Text,
        ModelId = response.ModelId,
        FinishReason = response.FinishReason?.Value,
        ResponseId = response.ResponseId,
        Usage = response.Usage is { } usage
            ? new CassetteUsage
            {
                InputTokens = usage.InputTokenCount,
                OutputTokens = usage.OutputTokenCount,
                TotalTokens = usage.TotalTokenCount,
                CachedInputTokens = usage.CachedInputTokenCount,
                ReasoningTokens = usage.ReasoningTokenCount,
            }
            : null,
    };

    private static UsageDetails? ToUsage(CassetteUsage? usage) => usage is null ? null : new UsageDetails
    {
        InputTokenCount = usage.InputTokens,
        OutputTokenCount = usage.OutputTokens,
        TotalTokenCount = usage.TotalTokens,
        CachedInputTokenCount = usage.CachedInputTokens,
        ReasoningTokenCount = usage.ReasoningTokens,
    };

    private static ChatResponse ToResponse(CassetteEntry entry)
    {
        var recorded = entry.Response!;
        var text = recorded.Text ?? (entry.Chunks is null ? string.Empty : string.Concat(entry.Chunks));
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            ModelId = recorded.ModelId,
            ResponseId = recorded.ResponseId,
            FinishReason = recorded.FinishReason is null ? null : new ChatFinishReason(recorded.FinishReason),
            Usage = ToUsage(recorded.Usage),
        };
    }

    private static List<ChatResponseUpdate> ToUpdates(CassetteEntry entry)
    {
        var recorded = entry.Response!;
        var chunks = entry.Chunks ?? (string.IsNullOrEmpty(recorded.Text) ? [] : [recorded.Text]);
        var finish = recorded.FinishReason is null ? (ChatFinishReason?)null : new ChatFinishReason(recorded.FinishReason);
        var usage = ToUsage(recorded.Usage);
        var updates = new List<ChatResponseUpdate>(chunks.Count + 1);
        foreach (var chunk in chunks)
        {
            updates.Add(NewUpdate(recorded, [new TextContent(chunk)], finishReason: null));
        }

        updates.Add(NewUpdate(recorded, usage is null ? [] : [new UsageContent(usage)], finish));
        return updates;
    }

    private static ChatResponseUpdate NewUpdate(CassetteResponse recorded, IList<AIContent> contents, ChatFinishReason? finishReason) => new(ChatRole.Assistant, contents)
    {
        ResponseId = recorded.ResponseId,
        MessageId = recorded.ResponseId,
        ModelId = recorded.ModelId,
        FinishReason = finishReason,
    };
}
