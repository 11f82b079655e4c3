using System.Runtime.CompilerServices;
using System.Text;
using LlmOps.Metering;
using Microsoft.Extensions.AI;

namespace LlmOps.Testing;

/// <summary>
/// An in-process <see cref="IChatClient"/> for tests: rules map a request to a <see cref="ScriptedResponse"/>, which
/// streams in chunks, reports usage, takes simulated time on a <see cref="System.TimeProvider"/> and can fail on demand.
/// Every request is recorded.
/// </summary>
/// <remarks>
/// <para>
/// Rules are tried in the order they were added; the first that matches answers. <see cref="Otherwise(ScriptedResponse)"/>
/// sets the answer used when none matches; without it an unmatched request throws a
/// <see cref="ScriptedChatClientException"/> that lists the rules and the last user message.
/// </para>
/// <para>
/// Streaming and non-streaming calls return the same text, usage, model id and finish reason. When streaming, usage
/// arrives in a final update that carries a <see cref="UsageContent"/>, as OpenAI-style providers send it
/// (unless the response says <see cref="ScriptedResponse.WithoutStreamingUsage"/>).
/// </para>
/// <para>
/// Latency waits on the injected <see cref="System.TimeProvider"/> with <see cref="Task.Delay(TimeSpan, System.TimeProvider, CancellationToken)"/>.
/// With a <c>FakeTimeProvider</c>, pass its <c>Advance</c> method as <c>advanceTime</c>: the client then moves the fake
/// clock forward itself instead of waiting, so a test needs no background loop and stays deterministic.
/// </para>
/// <para>The client is safe for concurrent calls. Configure its rules before the first call.</para>
/// </remarks>
/// <example>
/// <code>
/// var client = new ScriptedChatClient()
///     .WhenLastUserMessageContains("capital of France", "Paris.")
///     .Otherwise("I don't know.");
/// var response = await client.GetResponseAsync("What is the capital of France?");
/// Assert.Equal("Paris.", response.Text);
/// </code>
/// </example>
public sealed class ScriptedChatClient : IChatClient
{
    /// <summary>The model id reported when neither the response nor the request names one.</summary>
    public const string DefaultModelId = "scripted-model";

    private const int MaxQuotedLength = 200;

    private readonly Action<TimeSpan>? _advanceTime;
    private readonly ChatClientMetadata _metadata;
    private readonly Lock _gate = new();
    private readonly List<ScriptedRequest> _requests = [];
    private readonly Dictionary<int, Exception> _failOnCall = [];
    private Rule[] _rules = [];
    private Rule? _otherwise;
    private int _callCount;

    /// <summary>Initializes a new instance of the <see cref="ScriptedChatClient"/> class.</summary>
    /// <param name="timeProvider">The clock latency is simulated on; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="advanceTime">
    /// When given, latency is simulated by calling this (for example <c>fakeTimeProvider.Advance</c>) instead of
    /// waiting on <paramref name="timeProvider"/>.
    /// </param>
    /// <param name="defaultModelId">The model id reported when neither the response nor the request names one.</param>
    public ScriptedChatClient(TimeProvider? timeProvider = null, Action<TimeSpan>? advanceTime = null, string? defaultModelId = null)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
        _advanceTime = advanceTime;
        _metadata = new ChatClientMetadata("scripted", providerUri: null, defaultModelId ?? DefaultModelId);
    }

    /// <summary>Gets the clock latency is simulated on and response timestamps are read from.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets the number of calls received so far (streaming and non-streaming), including failed ones.</summary>
    public int CallCount => Volatile.Read(ref _callCount);

    /// <summary>Gets a snapshot of the requests received so far, in call order.</summary>
    public IReadOnlyList<ScriptedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                var copy = _requests.ToArray();
                Array.Sort(copy, static (a, b) => a.CallNumber.CompareTo(b.CallNumber));
                return copy;
            }
        }
    }

    /// <summary>Gets the descriptions of the rules, in the order they are tried (the default last).</summary>
    public IReadOnlyList<string> RuleDescriptions
    {
        get
        {
            lock (_gate)
            {
                var list = new List<string>(_rules.Length + 1);
                foreach (var rule in _rules)
                {
                    list.Add(rule.Description);
                }

                if (_otherwise is not null)
                {
                    list.Add(_otherwise.Description);
                }

                return list;
            }
        }
    }

    /// <summary>Adds a rule: when <paramref name="predicate"/> matches a request, answer with <paramref name="response"/>.</summary>
    /// <param name="predicate">Tests the request's messages and options.</param>
    /// <param name="response">The answer.</param>
    /// <param name="description">Names the rule in error messages; "custom rule #N" when <see langword="null"/>.</param>
    /// <returns>This client, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> or <paramref name="response"/> is <see langword="null"/>.</exception>
    public ScriptedChatClient When(Func<IReadOnlyList<ChatMessage>, ChatOptions?, bool> predicate, ScriptedResponse response, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        return When(predicate, (_, _) => response, description);
    }

    /// <summary>Adds a rule whose answer is computed from the request (for example, to echo it).</summary>
    /// <param name="predicate">Tests the request's messages and options.</param>
    /// <param name="responder">Builds the answer from the request's messages and options.</param>
    /// <param name="description">Names the rule in error messages; "custom rule #N" when <see langword="null"/>.</param>
    /// <returns>This client, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> or <paramref name="responder"/> is <see langword="null"/>.</exception>
    public ScriptedChatClient When(
        Func<IReadOnlyList<ChatMessage>, ChatOptions?, bool> predicate,
        Func<IReadOnlyList<ChatMessage>, ChatOptions?, ScriptedResponse> responder,
        string? description = null)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentNullException.ThrowIfNull(responder);
        lock (_gate)
        {
            var rule = new Rule(description ?? $"custom rule #{_rules.Length + 1}", predicate, responder);
            _rules = [.. _rules, rule];
        }

        return this;
    }

    /// <summary>Adds a rule: when the last user message contains <paramref name="text"/>, answer <paramref name="reply"/>.</summary>
    /// <param name="text">The text to look for.</param>
    /// <param name="reply">The answer text.</param>
    /// <param name="comparison">How to compare; <see cref="StringComparison.OrdinalIgnoreCase"/> by default.</param>
    /// <returns>This client, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="text"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="reply"/> is <see langword="null"/>.</exception>
    public ScriptedChatClient WhenLastUserMessageContains(string text, string reply, StringComparison comparison = StringComparison.OrdinalIgnoreCase)
        => WhenLastUserMessageContains(text, ScriptedResponse.FromText(reply), comparison);

    /// <summary>Adds a rule: when the last user message contains <paramref name="text"/>, answer with <paramref name="response"/>.</summary>
    /// <param name="text">The text to look for.</param>
    /// <param name="response">The answer.</param>
    /// <param name="comparison">How to compare; <see cref="StringComparison.OrdinalIgnoreCase"/> by default.</param>
    /// <returns>This client, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="text"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    public ScriptedChatClient WhenLastUserMessageContains(string text, ScriptedResponse response, StringComparison comparison = StringComparison.OrdinalIgnoreCase)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        ArgumentNullException.ThrowIfNull(response);
        return When(
            (messages, _) => LastUserText(messages)?.Contains(text, comparison) == true,
            response,
            $"last user message contains \"{Truncate(text)}\"");
    }

    /// <summary>Adds a rule: when the request's <see cref="ChatOptions.ModelId"/> is <paramref name="modelId"/>, answer with
    /// <paramref name="response"/> (reported with that model id unless the response names its own).</summary>
    /// <param name="modelId">The model id (compared ordinally, ignoring case).</param>
    /// <param name="response">The answer.</param>
    /// <returns>This client, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="modelId"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    public ScriptedChatClient WhenModelIs(string modelId, ScriptedResponse response)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        ArgumentNullException.ThrowIfNull(response);
        return When(
            (_, options) => string.Equals(options?.ModelId, modelId, StringComparison.OrdinalIgnoreCase),
            response,
            $"model is \"{modelId}\"");
    }

    /// <summary>Sets the answer used when no rule matches (replacing any earlier default).</summary>
    /// <param name="reply">The answer text.</param>
    /// <returns>This client, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reply"/> is <see langword="null"/>.</exception>
    public ScriptedChatClient Otherwise(string reply) => Otherwise(ScriptedResponse.FromText(reply));

    /// <summary>Sets the answer used when no rule matches (replacing any earlier default).</summary>
    /// <param name="response">The answer.</param>
    /// <returns>This client, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    public ScriptedChatClient Otherwise(ScriptedResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Otherwise((_, _) => response);
    }

    /// <summary>Sets the answer, computed from the request, used when no rule matches (replacing any earlier default).</summary>
    /// <param name="responder">Builds the answer from the request's messages and options.</param>
    /// <returns>This client, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="responder"/> is <see langword="null"/>.</exception>
    public ScriptedChatClient Otherwise(Func<IReadOnlyList<ChatMessage>, ChatOptions?, ScriptedResponse> responder)
    {
        ArgumentNullException.ThrowIfNull(responder);
        lock (_gate)
        {
            _otherwise = new Rule("otherwise (default)", static (_, _) => true, responder);
        }

        return this;
    }

    /// <summary>Makes call number <paramref name="callNumber"/> (1-based, streaming and non-streaming counted together)
    /// throw <paramref name="exception"/> before any rule is consulted.</summary>
    /// <param name="callNumber">The 1-based call number.</param>
    /// <param name="exception">The exception to throw, for example <see cref="ScriptedFault.RateLimit"/>().</param>
    /// <returns>This client, for chaining.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="callNumber"/> is less than 1.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is <see langword="null"/>.</exception>
    public ScriptedChatClient FailOnCall(int callNumber, Exception exception)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(callNumber, 1);
        ArgumentNullException.ThrowIfNull(exception);
        lock (_gate)
        {
            _failOnCall[callNumber] = exception;
        }

        return this;
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();

        var call = Begin(messages, options, streaming: false);
        var response = call.Response;
        var chunks = response.GetChunks();

        await DelayAsync(response.FirstChunkLatency, cancellationToken).ConfigureAwait(false);
        if (response.CreateFailure() is { } failure)
        {
            throw failure;
        }

        var delivered = response.FaultAfterChunkCount is { } k ? Math.Min(k, chunks.Count) : chunks.Count;
        if (delivered > 1)
        {
            await DelayAsync(response.BetweenChunksLatency * (delivered - 1), cancellationToken).ConfigureAwait(false);
        }

        if (response.FaultAfterChunkCount is not null)
        {
            throw response.CreateFault();
        }

        var message = new ChatMessage(ChatRole.Assistant, response.Text) { MessageId = call.Id };
        return new ChatResponse(message)
        {
            ResponseId = call.Id,
            ModelId = call.ModelId,
            FinishReason = response.FinishReason,
            Usage = call.Usage,
            CreatedAt = TimeProvider.GetUtcNow(),
        };
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
        if (serviceKey is not null)
        {
            return null;
        }

        return serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        // Nothing to release; calls after disposal keep working so a test can inspect the client freely.
    }

    internal static string? LastUserText(IReadOnlyList<ChatMessage> messages)
    {
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i].Role == ChatRole.User)
            {
                return messages[i].Text;
            }
        }

        return null;
    }

    internal static string Truncate(string text, int maxLength = MaxQuotedLength)
        => text.Length <= maxLength ? text : string.Concat(text.AsSpan(0, maxLength), "…");

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        var call = Begin(messages, options, streaming: true);
        var response = call.Response;
        var chunks = response.GetChunks();

        await DelayAsync(response.FirstChunkLatency, cancellationToken).ConfigureAwait(false);
        if (response.CreateFailure() is { } failure)
        {
            throw failure;
        }

        var faultAfter = response.FaultAfterChunkCount ?? int.MaxValue;
        var streamedUsage = response.StreamsUsage ? call.Usage : null;
        for (var i = 0; i < chunks.Count; i++)
        {
            if (i == faultAfter)
            {
                throw response.CreateFault();
            }

            if (i > 0)
            {
                await DelayAsync(response.BetweenChunksLatency, cancellationToken).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            var last = i == chunks.Count - 1;
            yield return NewUpdate(call, [new TextContent(chunks[i])],
                last && streamedUsage is null && response.FaultAfterChunkCount is null ? response.FinishReason : null);
        }

        if (response.FaultAfterChunkCount is not null)
        {
            throw response.CreateFault();
        }

        if (streamedUsage is not null)
        {
            yield return NewUpdate(call, [new UsageContent(ScriptedResponse.CopyUsage(streamedUsage))], response.FinishReason);
        }
        else if (chunks.Count == 0)
        {
            yield return NewUpdate(call, [], response.FinishReason);
        }
    }

    private ChatResponseUpdate NewUpdate(Call call, IList<AIContent> contents, ChatFinishReason? finishReason) => new(ChatRole.Assistant, contents)
    {
        ResponseId = call.Id,
        MessageId = call.Id,
        ModelId = call.ModelId,
        FinishReason = finishReason,
        CreatedAt = TimeProvider.GetUtcNow(),
    };

    private Call Begin(IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var callNumber = Interlocked.Increment(ref _callCount);
        Rule[] rules;
        Rule? otherwise;
        Exception? injected;
        lock (_gate)
        {
            _requests.Add(ScriptedRequest.Snapshot(callNumber, list, options, streaming));
            rules = _rules;
            otherwise = _otherwise;
            _failOnCall.Remove(callNumber, out injected);
        }

        if (injected is not null)
        {
            throw injected;
        }

        var response = Match(rules, otherwise, list, options, callNumber);
        var usage = response.ReportsUsage && !response.IsFailure
            ? response.Usage is { } given
                ? ScriptedResponse.CopyUsage(given)
                : Count(list, response.Text)
            : null;
        var modelId = response.ModelId ?? options?.ModelId ?? _metadata.DefaultModelId;
        return new Call(response, $"scripted-{callNumber}", modelId, usage);
    }

    private static UsageDetails Count(IReadOnlyList<ChatMessage> messages, string text)
    {
        // The metering stage's shared o200k tokenizer (built once, on first use; never paid when usage is given).
        var tokenizer = TokenCounter.GetTokenizer(TokenEncoding.O200kBase);
        long input = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            input += string.IsNullOrEmpty(messages[i].Text) ? 0 : tokenizer.CountTokens(messages[i].Text);
        }

        long output = string.IsNullOrEmpty(text) ? 0 : tokenizer.CountTokens(text);
        return new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };
    }

    private static ScriptedResponse Match(Rule[] rules, Rule? otherwise, IReadOnlyList<ChatMessage> messages, ChatOptions? options, int callNumber)
    {
        foreach (var rule in rules)
        {
            if (rule.Predicate(messages, options))
            {
                return rule.Responder(messages, options)
                    ?? throw new ScriptedChatClientException($"The ScriptedChatClient rule '{rule.Description}' returned no response for call #{callNumber}.");
            }
        }

        if (otherwise is not null)
        {
            return otherwise.Responder(messages, options)
                ?? throw new ScriptedChatClientException($"The ScriptedChatClient default (Otherwise) returned no response for call #{callNumber}.");
        }

        var text = new StringBuilder();
        var lastUser = LastUserText(messages);
        text.Append("No ScriptedChatClient rule matched call #").Append(callNumber).Append(". Last user message: ")
            .Append(lastUser is null ? "(none)" : $"\"{Truncate(lastUser)}\"").Append('.');
        if (rules.Length == 0)
        {
            text.Append(" The client has no rules.");
        }
        else
        {
            text.Append(" Rules tried, in order:");
            for (var i = 0; i < rules.Length; i++)
            {
                text.AppendLine().Append("  ").Append(i + 1).Append(". ").Append(rules[i].Description);
            }
        }

        text.AppendLine().Append("Add a matching rule with When(...) or WhenLastUserMessageContains(...), or a default with Otherwise(...).");
        throw new ScriptedChatClientException(text.ToString());
    }

    private Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

        if (_advanceTime is not null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _advanceTime(delay);
            return Task.CompletedTask;
        }

        return Task.Delay(delay, TimeProvider, cancellationToken);
    }

    private sealed record Rule(
        string Description,
        Func<IReadOnlyList<ChatMessage>, ChatOptions?, bool> Predicate,
        Func<IReadOnlyList<ChatMessage>, ChatOptions?, ScriptedResponse> Responder);

    private sealed record Call(ScriptedResponse Response, string Id, string? ModelId, UsageDetails? Usage);
}
