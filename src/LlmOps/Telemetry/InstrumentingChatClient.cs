using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmOps.Telemetry;

/// <summary>
/// The outermost LlmOps stage: records a span and the request metrics (duration, token usage, time to
/// first token, output tokens per second, outcome) for every request, streaming or not.
/// </summary>
/// <remarks>
/// <para>
/// Metrics are tagged with the model id and with the bounded tags inner stages add through
/// <see cref="LlmOpsInfo.AddTag"/> (prompt name and version, cache status, route, …). A cancelled or faulted
/// request, or a stream abandoned mid-way, is still recorded with its outcome.
/// </para>
/// <para>
/// Time to first token is measured to the first streamed chunk that carries content; for a non-streaming call
/// it is the whole duration, since that is when the caller sees the first token. Tokens per second divides the
/// output tokens by the time after the first token (by the whole duration when not streaming).
/// </para>
/// </remarks>
public sealed class InstrumentingChatClient : DelegatingChatClient
{
    // Boxed once: a tag value is an object, and boxing the flag on every request allocated.
    private static readonly object BoxedTrue = true;
    private static readonly object BoxedFalse = false;

    // The start timestamp of a request that nothing listens to (Record would drop it).
    private const long NotTimed = long.MinValue;

    private readonly LlmOpsTelemetry _telemetry;
    private readonly LlmOpsTelemetryOptions _options;
    private readonly TimeProvider _time;
    private readonly string? _providerName;

    /// <summary>Initializes a new instance of the <see cref="InstrumentingChatClient"/> class.</summary>
    /// <param name="innerClient">The client to instrument.</param>
    /// <param name="telemetry">Where to record; <see cref="LlmOpsTelemetry.Shared"/> when <see langword="null"/>.</param>
    /// <param name="options">The options; defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> is <see langword="null"/>.</exception>
    public InstrumentingChatClient(
        IChatClient innerClient,
        LlmOpsTelemetry? telemetry = null,
        LlmOpsTelemetryOptions? options = null,
        TimeProvider? timeProvider = null)
        : base(innerClient)
    {
        _telemetry = telemetry ?? LlmOpsTelemetry.Shared;
        _options = options ?? new LlmOpsTelemetryOptions();
        _time = timeProvider ?? TimeProvider.System;
        _providerName = innerClient.GetService<ChatClientMetadata>()?.ProviderName;
    }

    /// <inheritdoc/>
    public override Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);

        var request = LlmOpsRequest.Join(options);
        var activity = StartActivity(options, messages);

        // Nothing listens (no span, no enabled instrument): the request is not timed either. A listener that attaches
        // while the request runs sees the next request.
        var start = activity is not null || Listening() ? _time.GetTimestamp() : NotTimed;
        Task<ChatResponse> inner;
        try
        {
            inner = InnerClient.GetResponseAsync(messages, request.Options, cancellationToken); // this stage's own call site (StageTasks.Call's remarks)
        }
        catch (Exception ex)
        {
            inner = StageTasks.Failed(ex);
        }

        if (!inner.IsCompletedSuccessfully)
        {
            return AwaitResponseAsync(inner, request, options, start, activity, cancellationToken);
        }

        // Completed already (a cache hit, a refusal, a scripted client): finish here and hand back the inner task itself,
        // without a state machine or a task of our own.
        var response = inner.Result;
        Complete(request, options, start, activity, response, cancellationToken);
        return inner;
    }

    private bool Listening()
    {
        var t = _telemetry;
        return t.OperationDuration.Enabled || t.Requests.Enabled || t.TimeToFirstToken.Enabled || t.TokenUsage.Enabled || t.OutputTokensPerSecond.Enabled;
    }

    private async Task<ChatResponse> AwaitResponseAsync(
        Task<ChatResponse> inner, LlmOpsRequest request, ChatOptions? options, long start, Activity? activity, CancellationToken cancellationToken)
    {
        ChatResponse response;
        try
        {
            response = await inner.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            try
            {
                if (start != NotTimed)
                {
                    Record(activity, request.Info, options, null, null, null, _time.GetElapsedTime(start), firstTokenAfter: null, streaming: false, ex, cancellationToken);
                }
            }
            finally
            {
                activity?.Dispose();
            }

            throw;
        }

        Complete(request, options, start, activity, response, cancellationToken);
        return response;
    }

    /// <summary>Attaches the info to a successful answer and records it (both the synchronous and the awaited path).</summary>
    private void Complete(LlmOpsRequest request, ChatOptions? options, long start, Activity? activity, ChatResponse response, CancellationToken cancellationToken)
    {
        try
        {
            request.AttachTo(response);
            if (start == NotTimed)
            {
                return;
            }

            var elapsed = _time.GetElapsedTime(start);
            Record(activity, request.Info, options, response.ModelId, response.Usage, _options.EnableSensitiveData ? response.Text : null,
                elapsed, firstTokenAfter: elapsed, streaming: false, failure: null, cancellationToken);
        }
        finally
        {
            activity?.Dispose();
        }
    }

    /// <inheritdoc/>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return StreamAsync(messages, options, cancellationToken);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = LlmOpsRequest.Join(options);
        var start = _time.GetTimestamp();
        using var activity = StartActivity(options, messages);
        TimeSpan? firstToken = null;
        string? modelId = null;
        var usage = default(StreamUsage);
        System.Text.StringBuilder? text = _options.EnableSensitiveData ? new() : null;
        StreamObservation<ChatResponseUpdate>? stream = null;
        Exception? startFailure = null;
        try
        {
            try
            {
                stream = new(base.GetStreamingResponseAsync(messages, request.Options, cancellationToken), cancellationToken);
            }
            catch (Exception ex)
            {
                // The inner client threw before streaming anything: an error (or a cancellation), not an abandoned stream.
                startFailure = ex;
                throw;
            }

            while (await stream.MoveNextAsync().ConfigureAwait(false))
            {
                var update = stream.Current;
                modelId ??= update.ModelId;
                var contents = update.Contents; // indexed: a foreach boxed the list's enumerator on every update
                for (var i = 0; i < contents.Count; i++)
                {
                    var content = contents[i];
                    if (content is UsageContent u)
                    {
                        usage.Add(u.Details);
                    }
                    else if (firstToken is null && HasPayload(content))
                    {
                        firstToken = _time.GetElapsedTime(start);
                    }
                }

                text?.Append(update.Text);
                yield return update;
            }

            if (request.CreateFinalUpdate(modelId) is { } last)
            {
                yield return last;
            }
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            // A stream the caller stopped enumerating (break or dispose) before it ended counts as cancelled.
            var failure = stream?.IsCompleted == true ? null
                : stream?.Failure ?? startFailure ?? new OperationCanceledException("The stream was abandoned before it completed.");
            Record(activity, request.Info, options, modelId, usage.Details, text?.ToString(),
                _time.GetElapsedTime(start), firstToken, streaming: true, failure, cancellationToken);
        }
    }

    private static bool HasPayload(AIContent content) => content switch
    {
        TextContent t => t.Text.Length > 0,
        TextReasoningContent r => r.Text.Length > 0,
        _ => true,
    };

    private Activity? StartActivity(ChatOptions? options, IEnumerable<ChatMessage> messages)
    {
        var source = _telemetry.ActivitySource;
        if (!source.HasListeners())
        {
            return null;
        }

        var model = options?.ModelId;
        var activity = source.StartActivity(model is null ? LlmOpsTelemetryNames.ChatOperation : $"{LlmOpsTelemetryNames.ChatOperation} {model}", ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(LlmOpsTelemetryNames.OperationName, LlmOpsTelemetryNames.ChatOperation);
            activity.SetTag(LlmOpsTelemetryNames.RequestModel, model);
            activity.SetTag(LlmOpsTelemetryNames.ProviderName, _providerName);
            if (options?.MaxOutputTokens is int max)
            {
                activity.SetTag(LlmOpsTelemetryNames.RequestMaxTokens, max);
            }

            if (options?.Temperature is float temperature)
            {
                activity.SetTag(LlmOpsTelemetryNames.RequestTemperature, temperature);
            }

            if (_options.EnableSensitiveData)
            {
                activity.SetTag(LlmOpsTelemetryNames.InputMessages, Truncate(string.Join("\n", messages.Select(m => $"{m.Role}: {m.Text}"))));
            }
        }

        return activity;
    }

    private void Record(
        Activity? activity,
        LlmOpsInfo info,
        ChatOptions? options,
        string? responseModel,
        UsageDetails? usage,
        string? outputText,
        TimeSpan elapsed,
        TimeSpan? firstTokenAfter,
        bool streaming,
        Exception? failure,
        CancellationToken cancellationToken)
    {
        var outcome = failure switch
        {
            null => "success",
            OperationCanceledException => "cancelled",
            _ when cancellationToken.IsCancellationRequested => "cancelled",
            _ => "error",
        };

        // Nothing listens (no exporter, no span): the tags would be built for nobody.
        var t = _telemetry;
        if (activity is null && !t.OperationDuration.Enabled && !t.Requests.Enabled && !t.TimeToFirstToken.Enabled
            && !t.TokenUsage.Enabled && !t.OutputTokensPerSecond.Enabled)
        {
            return;
        }

        // The tags live on the stack (a TagList spills to an array past eight tags, and a full pipeline records more);
        // the spare slots at the end take the one tag a single instrument adds (outcome, token type).
        var buffer = default(TagBuffer);
        Span<KeyValuePair<string, object?>> all = buffer;
        var model = responseModel ?? info.ModelId ?? options?.ModelId;
        var n = 0;
        all[n++] = new(LlmOpsTelemetryNames.OperationName, LlmOpsTelemetryNames.ChatOperation);
        all[n++] = new(LlmOpsTelemetryNames.RequestModel, options?.ModelId);
        all[n++] = new(LlmOpsTelemetryNames.ResponseModel, model);
        all[n++] = new(LlmOpsTelemetryNames.Streaming, streaming ? BoxedTrue : BoxedFalse);
        if (_providerName is not null)
        {
            all[n++] = new(LlmOpsTelemetryNames.ProviderName, _providerName);
        }

        const int Reserved = 5; // scope (3), error type, and the one per-instrument tag
        var copied = info.CopyTagsTo(all[..^Reserved], n);
        if (copied < 0)
        {
            // More tags than the stack buffer holds (stages adding many): a heap array, still one allocation.
            var snapshot = info.Tags.ToArray();
            var larger = new KeyValuePair<string, object?>[n + snapshot.Length + Reserved];
            all[..n].CopyTo(larger);
            snapshot.CopyTo(larger, n);
            all = larger;
            copied = n + snapshot.Length;
        }

        n = copied;
        if (_options.IncludeScopeInTags)
        {
            var scope = options.GetScope();
            all[n++] = new(LlmOpsTelemetryNames.ScopeTenant, scope.Tenant);
            all[n++] = new(LlmOpsTelemetryNames.ScopeUser, scope.User);
            all[n++] = new(LlmOpsTelemetryNames.ScopeFeature, scope.Feature);
        }

        if (failure is not null && outcome == "error")
        {
            all[n++] = new(LlmOpsTelemetryNames.ErrorType, failure.GetType().FullName);
        }

        ReadOnlySpan<KeyValuePair<string, object?>> tags = all[..n];
        t.OperationDuration.Record(elapsed.TotalSeconds, tags);

        all[n] = new(LlmOpsTelemetryNames.Outcome, outcome);
        t.Requests.Add(1, all[..(n + 1)]);

        if (firstTokenAfter is { } ttft)
        {
            t.TimeToFirstToken.Record(ttft.TotalSeconds, tags);
        }

        if (usage?.InputTokenCount is long input)
        {
            all[n] = new(LlmOpsTelemetryNames.TokenType, "input");
            t.TokenUsage.Record(input, all[..(n + 1)]);
        }

        if (usage?.OutputTokenCount is long output)
        {
            all[n] = new(LlmOpsTelemetryNames.TokenType, "output");
            t.TokenUsage.Record(output, all[..(n + 1)]);

            var generation = streaming && firstTokenAfter is { } first ? elapsed - first : elapsed;
            if (failure is null && output > 0 && generation > TimeSpan.Zero)
            {
                t.OutputTokensPerSecond.Record(output / generation.TotalSeconds, tags);
            }
        }

        if (activity is null)
        {
            return;
        }

        foreach (var tag in tags)
        {
            activity.SetTag(tag.Key, tag.Value);
        }

        activity.SetTag(LlmOpsTelemetryNames.RequestId, info.RequestId);
        activity.SetTag(LlmOpsTelemetryNames.Outcome, outcome);
        activity.SetTag(LlmOpsTelemetryNames.UsageInputTokens, usage?.InputTokenCount);
        activity.SetTag(LlmOpsTelemetryNames.UsageOutputTokens, usage?.OutputTokenCount);
        if (firstTokenAfter is { } ft)
        {
            activity.SetTag(LlmOpsTelemetryNames.TimeToFirstTokenAttribute, ft.TotalSeconds);
        }

        if (_options.EnableSensitiveData && outputText is not null)
        {
            activity.SetTag(LlmOpsTelemetryNames.OutputMessages, Truncate(outputText));
        }

        if (failure is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, outcome == "cancelled" ? "cancelled" : failure.GetType().Name);
        }
    }

    private string Truncate(string value)
        => value.Length <= _options.MaxRecordedContentLength ? value : value[.._options.MaxRecordedContentLength];

    /// <summary>Room for a request's metric tags on the stack.</summary>
    [InlineArray(32)]
    private struct TagBuffer
    {
        private KeyValuePair<string, object?> _first;
    }
}
