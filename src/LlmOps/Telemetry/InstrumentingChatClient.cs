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
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);

        var request = LlmOpsRequest.Join(options);
        var start = _time.GetTimestamp();
        using var activity = StartActivity(options, messages);
        ChatResponse? response = null;
        Exception? failure = null;
        try
        {
            response = await base.GetResponseAsync(messages, request.Options, cancellationToken).ConfigureAwait(false);
            request.AttachTo(response);

            return response;
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            var elapsed = _time.GetElapsedTime(start);
            Record(activity, request.Info, options, response?.ModelId, response?.Usage, response?.Text,
                elapsed, firstTokenAfter: response is null ? null : elapsed, streaming: false, failure, cancellationToken);
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
        UsageDetails? usage = null;
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
                foreach (var content in update.Contents)
                {
                    if (content is UsageContent u)
                    {
                        usage ??= new UsageDetails();
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
            Record(activity, request.Info, options, modelId, usage, text?.ToString(),
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

        var model = responseModel ?? info.ModelId ?? options?.ModelId;
        var tags = new TagList
        {
            { LlmOpsTelemetryNames.OperationName, LlmOpsTelemetryNames.ChatOperation },
            { LlmOpsTelemetryNames.RequestModel, options?.ModelId },
            { LlmOpsTelemetryNames.ResponseModel, model },
            { LlmOpsTelemetryNames.Streaming, streaming ? BoxedTrue : BoxedFalse },
        };
        if (_providerName is not null)
        {
            tags.Add(LlmOpsTelemetryNames.ProviderName, _providerName);
        }

        info.CopyTagsTo(ref tags);

        if (_options.IncludeScopeInTags)
        {
            var scope = options.GetScope();
            tags.Add(LlmOpsTelemetryNames.ScopeTenant, scope.Tenant);
            tags.Add(LlmOpsTelemetryNames.ScopeUser, scope.User);
            tags.Add(LlmOpsTelemetryNames.ScopeFeature, scope.Feature);
        }

        if (failure is not null && outcome == "error")
        {
            tags.Add(LlmOpsTelemetryNames.ErrorType, failure.GetType().FullName);
        }

        _telemetry.OperationDuration.Record(elapsed.TotalSeconds, tags);

        var outcomeTags = tags;
        outcomeTags.Add(LlmOpsTelemetryNames.Outcome, outcome);
        _telemetry.Requests.Add(1, outcomeTags);

        if (firstTokenAfter is { } ttft)
        {
            _telemetry.TimeToFirstToken.Record(ttft.TotalSeconds, tags);
        }

        if (usage?.InputTokenCount is long input)
        {
            var t = tags;
            t.Add(LlmOpsTelemetryNames.TokenType, "input");
            _telemetry.TokenUsage.Record(input, t);
        }

        if (usage?.OutputTokenCount is long output)
        {
            var t = tags;
            t.Add(LlmOpsTelemetryNames.TokenType, "output");
            _telemetry.TokenUsage.Record(output, t);

            var generation = streaming && firstTokenAfter is { } first ? elapsed - first : elapsed;
            if (failure is null && output > 0 && generation > TimeSpan.Zero)
            {
                _telemetry.OutputTokensPerSecond.Record(output / generation.TotalSeconds, tags);
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
}
