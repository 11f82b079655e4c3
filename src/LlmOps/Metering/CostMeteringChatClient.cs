using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Text;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmOps.Metering;

/// <summary>
/// Meters every provider call: prices its token usage with <see cref="CostCalculator"/>, puts the
/// <see cref="CostRecord"/> on the response (<c>response.GetCost()</c>), on the <c>llmops.client.cost</c> histogram
/// and into the <see cref="ICostLedger"/>, and enforces budgets with reserve-then-settle.
/// </summary>
/// <remarks>
/// <para>
/// Token counts come from the provider's <see cref="UsageDetails"/> (summed over every <see cref="UsageContent"/> of a
/// stream). When the provider reports none, they are counted with <see cref="TokenCounter"/> and the record is marked
/// estimated. A call that faults, is cancelled or (streaming) is abandoned is still recorded, with the input tokens and
/// the output so far, marked estimated and incomplete; so is a stream that ends without a finish reason and without
/// reported usage (a connection closed mid-answer). The cost histogram carries both flags as tags.
/// </para>
/// <para>
/// Each call through this client is one attempt of the request (<see cref="LlmOpsInfo.RequestId"/>); a retry or
/// fallback that calls it again with the same request adds attempt 2, 3, …. When budgets apply to the request's scope,
/// the worst-case cost (input tokens, tool definitions included, plus <c>MaxOutputTokens</c>, or the model's or the
/// default maximum, at the model's prices; a model not in the catalog at <see cref="ModelCatalog.ReservationPrice"/>) is reserved before the provider is called; <see cref="BudgetExceededException"/> is thrown otherwise. The
/// reservation is settled to the recorded cost whatever the outcome.
/// </para>
/// </remarks>
public sealed class CostMeteringChatClient : DelegatingChatClient
{
    private readonly CostCalculator _calculator;
    private readonly ICostLedger? _ledger;
    private readonly BudgetManager? _budgets;
    private readonly TokenCounter _counter;
    private readonly TimeProvider _time;
    private readonly Histogram<double> _cost;
    private readonly string? _defaultModelId;
    private readonly int _defaultMaxOutputTokens;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="CostMeteringChatClient"/> class.</summary>
    /// <param name="innerClient">The provider client.</param>
    /// <param name="calculator">Prices usage; one over <see cref="ModelCatalog.Default"/> when <see langword="null"/>.</param>
    /// <param name="ledger">Where records go, or <see langword="null"/> for none.</param>
    /// <param name="budgets">The budgets to enforce, or <see langword="null"/> for none.</param>
    /// <param name="tokenCounter">Counts tokens when the provider reports none; a new one when <see langword="null"/>.</param>
    /// <param name="telemetry">Where the cost histogram goes; <see cref="LlmOpsTelemetry.Shared"/> when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for timestamps and GPU time; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="defaultMaxOutputTokens">The output tokens assumed for reservations when nothing sets a maximum.</param>
    /// <param name="logger">Logs a ledger write that fails (the failure is absorbed: the caller keeps the answer); none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="defaultMaxOutputTokens"/> is not positive.</exception>
    public CostMeteringChatClient(
        IChatClient innerClient,
        CostCalculator? calculator = null,
        ICostLedger? ledger = null,
        BudgetManager? budgets = null,
        TokenCounter? tokenCounter = null,
        LlmOpsTelemetry? telemetry = null,
        TimeProvider? timeProvider = null,
        int defaultMaxOutputTokens = 4096,
        ILogger? logger = null)
        : base(innerClient)
    {
        _logger = logger ?? NullLogger.Instance;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(defaultMaxOutputTokens);
        _calculator = calculator ?? new CostCalculator();
        _ledger = ledger;
        _budgets = budgets is { Budgets.Count: > 0 } ? budgets : null;
        _counter = tokenCounter ?? new TokenCounter();
        _time = timeProvider ?? TimeProvider.System;
        _cost = (telemetry ?? LlmOpsTelemetry.Shared).GetOrCreateHistogram<double>(
            MeteringTelemetryNames.Cost, "USD", "Cost of each provider attempt in USD, tagged by model, tier and whether it was estimated.");
        _defaultModelId = innerClient.GetService<ChatClientMetadata>()?.DefaultModelId;
        _defaultMaxOutputTokens = defaultMaxOutputTokens;
    }

    /// <inheritdoc/>
    public override Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        messages = RequestMessages.Validate(messages, nameof(messages), options); // the library's one bad-input rule
        var request = LlmOpsRequest.Join(options);
        ValueTask<Attempt> begin;
        try
        {
            begin = BeginAsync(messages, request, options);
        }
        catch (Exception ex)
        {
            // A budget refusal or an unknown model, reported through the task as before.
            return Task.FromException<ChatResponse>(ex);
        }

        if (!begin.IsCompletedSuccessfully)
        {
            // A shared budget store (Redis) is answering: wait for the reservation without blocking a thread.
            return AwaitBeginAsync(begin, messages, request, cancellationToken);
        }

        var attempt = begin.Result;
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
            return AwaitResponseAsync(inner, attempt, messages, request);
        }

        // Completed already: meter it here and hand back the inner task itself, with no state machine or task of our own
        // (the in-memory ledger records synchronously).
        var response = inner.Result;
        var finish = FinishAsync(attempt, messages, response.ModelId, response.Usage, response, complete: true);
        if (!finish.IsCompletedSuccessfully)
        {
            return AwaitFinishAsync(finish, request, response);
        }

        finish.GetAwaiter().GetResult();
        request.AttachTo(response);
        return inner;
    }

    private async Task<ChatResponse> AwaitBeginAsync(ValueTask<Attempt> begin, IEnumerable<ChatMessage> messages, LlmOpsRequest request, CancellationToken cancellationToken)
    {
        var attempt = await begin.ConfigureAwait(false);
        return await AwaitResponseAsync(StageTasks.Call(InnerClient, messages, request.Options, cancellationToken), attempt, messages, request).ConfigureAwait(false);
    }

    private static async Task<ChatResponse> AwaitFinishAsync(ValueTask finish, LlmOpsRequest request, ChatResponse response)
    {
        await finish.ConfigureAwait(false);
        request.AttachTo(response);
        return response;
    }

    private async Task<ChatResponse> AwaitResponseAsync(Task<ChatResponse> inner, Attempt attempt, IEnumerable<ChatMessage> messages, LlmOpsRequest request)
    {
        ChatResponse response;
        try
        {
            response = await inner.ConfigureAwait(false);
        }
        catch
        {
            await FinishAsync(attempt, messages, null, null, null, complete: false).ConfigureAwait(false);
            throw;
        }

        await FinishAsync(attempt, messages, response.ModelId, response.Usage, response, complete: true).ConfigureAwait(false);
        request.AttachTo(response);
        return response;
    }

    /// <inheritdoc/>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        messages = RequestMessages.Validate(messages, nameof(messages));
        return StreamAsync(messages, options, cancellationToken);
    }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null)
        {
            if (serviceType == typeof(CostCalculator))
            {
                return _calculator;
            }

            if (serviceType == typeof(ModelCatalog))
            {
                return _calculator.Catalog;
            }

            if (serviceType == typeof(TokenCounter))
            {
                return _counter;
            }

            if (_ledger is not null && serviceType.IsInstanceOfType(_ledger))
            {
                return _ledger;
            }

            if (_budgets is not null && serviceType == typeof(BudgetManager))
            {
                return _budgets;
            }
        }

        return base.GetService(serviceType, serviceKey);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = LlmOpsRequest.Join(options);
        var attempt = await BeginAsync(messages, request, options).ConfigureAwait(false);
        var usage = default(StreamUsage);
        var output = new StringBuilder();
        string? modelId = null;
        var finished = false;
        StreamObservation<ChatResponseUpdate>? stream = null;
        try
        {
            stream = new(base.GetStreamingResponseAsync(messages, request.Options, cancellationToken), cancellationToken);
            while (await stream.MoveNextAsync().ConfigureAwait(false))
            {
                var update = stream.Current;
                modelId ??= update.ModelId;
                finished |= update.FinishReason is not null;
                var contents = update.Contents; // indexed: a foreach boxed the list's enumerator on every update
                for (var i = 0; i < contents.Count; i++)
                {
                    var content = contents[i];
                    if (content is UsageContent u)
                    {
                        usage.Add(u.Details);
                    }
                    else if (content is TextContent t)
                    {
                        output.Append(t.Text);
                    }
                }

                yield return update;
            }

            // A stream that ends cleanly but without a finish reason was cut (a connection closed mid-answer): unless the
            // provider reported usage, it is recorded as estimated and incomplete.
            await FinishAsync(attempt, messages, modelId, usage.Details, output, complete: finished || usage.Details is not null).ConfigureAwait(false);
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

            if (stream?.IsCompleted != true)
            {
                // Faulted, cancelled, or abandoned by the caller: still metered, as estimated and incomplete.
                await FinishAsync(attempt, messages, modelId, usage.Details, output, complete: false).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Numbers the attempt and reserves its worst case; completes synchronously unless a shared budget store is answering.</summary>
    private ValueTask<Attempt> BeginAsync(IEnumerable<ChatMessage> messages, LlmOpsRequest request, ChatOptions? options)
    {
        var number = request.Info.NextMeteredAttempt();
        var scope = options.GetScope();
        var modelId = options?.ModelId ?? request.Info.ModelId ?? _defaultModelId;
        // The record's timestamp, from the coarse clock when the clock is the system's (within a tick of it; a precise
        // wall-clock read cost as much as a twentieth of a pass-through request).
        var now = CoarseClock.UtcNow(_time);
        BudgetReservation? reservation = null;
        if (_budgets is not null && _budgets.AppliesTo(scope))
        {
            var catalog = _calculator.Catalog;
            var model = catalog.Resolve(modelId, now);
            if (model.Definition is null && (catalog.RejectUnknownModels || catalog.ReservationPrice is null))
            {
                throw new UnknownModelException(catalog.RejectUnknownModels
                    ? $"Model '{modelId ?? "(none)"}' is not in the price catalog and CostMeteringOptions.RejectUnknownModels is set; add it to CostMeteringOptions.Models or a price file, or set ChatOptions.ModelId to a known model."
                    : $"Model '{modelId ?? "(none)"}' is not in the price catalog and the catalog has no tier price to reserve at; add the model or a tier price.")
                {
                    ModelId = modelId,
                };
            }

            var maxOutput = options?.MaxOutputTokens ?? model.Definition?.MaxOutputTokens ?? _defaultMaxOutputTokens;
            var input = _counter.CountTokens(messages, options, modelId);
            // Not the caller's token: the reservation is sent whole or not at all, and the call then meters as usual.
            var reserving = _budgets.ReserveAsync(scope, _calculator.WorstCase(modelId, input, maxOutput, now), CancellationToken.None);
            if (!reserving.IsCompletedSuccessfully)
            {
                return AwaitReservationAsync(reserving, request.Info, number, scope, modelId, now, options);
            }

            reservation = reserving.Result;
        }

        // The monotonic start is read only when some price is per GPU second (the only use of the attempt's duration here).
        var startTimestamp = _calculator.Catalog.HasGpuPrices ? _time.GetTimestamp() : 0;
        return new ValueTask<Attempt>(new Attempt(request.Info, number, scope, modelId, now, startTimestamp, reservation, options));
    }

    private async ValueTask<Attempt> AwaitReservationAsync(
        ValueTask<BudgetReservation> reserving, LlmOpsInfo info, int number, LlmOpsScope scope, string? modelId, DateTimeOffset now, ChatOptions? options)
    {
        var reservation = await reserving.ConfigureAwait(false);
        return new Attempt(info, number, scope, modelId, now, _calculator.Catalog.HasGpuPrices ? _time.GetTimestamp() : 0, reservation, options);
    }

    /// <summary>Meters a finished attempt: its record on the response, the histogram and the ledger; settles its reservation.</summary>
    /// <remarks>
    /// Not an <see langword="async"/> method when the attempt holds no reservation: a ledger that records at once (the
    /// in-memory one) costs no state machine. A failure comes back in the returned task, as from an <see langword="async"/> method.
    /// </remarks>
    private ValueTask FinishAsync(
        in Attempt attempt, IEnumerable<ChatMessage> messages, string? responseModel, UsageDetails? usage, object? output, bool complete)
    {
        if (attempt.Reservation is not null)
        {
            return FinishReservedAsync(attempt, messages, responseModel, usage, output, complete);
        }

        CostRecord record;
        try
        {
            record = Meter(in attempt, messages, responseModel, usage, output, complete);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException(ex);
        }

        if (_ledger is null)
        {
            return ValueTask.CompletedTask;
        }

        // The caller's token may already be cancelled; the attempt must still be recorded. A ledger that fails must not
        // fail a call that succeeded (and was paid for): the cost stays on the response and the metric.
        ValueTask<bool> recording;
        try
        {
            recording = _ledger.RecordAsync(record, CancellationToken.None);
            if (recording.IsCompletedSuccessfully)
            {
                _ = recording.Result;
                return ValueTask.CompletedTask;
            }
        }
        catch (Exception ex)
        {
            MeteringLog.LedgerWriteFailed(_logger, record.RequestId, record.Attempt, record.Cost, ex);
            return ValueTask.CompletedTask;
        }

        return AwaitRecordAsync(recording, record);
    }

    private async ValueTask AwaitRecordAsync(ValueTask<bool> recording, CostRecord record)
    {
        try
        {
            await recording.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            MeteringLog.LedgerWriteFailed(_logger, record.RequestId, record.Attempt, record.Cost, ex);
        }
    }

    /// <summary><see cref="FinishAsync"/> for an attempt that reserved budget: the reservation is settled, and never left open.</summary>
    private async ValueTask FinishReservedAsync(
        Attempt attempt, IEnumerable<ChatMessage> messages, string? responseModel, UsageDetails? usage, object? output, bool complete)
    {
        try
        {
            var record = Meter(in attempt, messages, responseModel, usage, output, complete);
            if (attempt.Reservation is { } reservation)
            {
                await reservation.SettleAsync(record.Cost).ConfigureAwait(false);
            }

            if (_ledger is not null)
            {
                // The caller's token may already be cancelled; the attempt must still be recorded. A ledger that fails
                // must not fail a call that succeeded (and was paid for): the cost stays on the response and the metric.
                try
                {
                    await _ledger.RecordAsync(record, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    MeteringLog.LedgerWriteFailed(_logger, record.RequestId, record.Attempt, record.Cost, ex);
                }
            }
        }
        finally
        {
            // Whatever happened above, never leave a reservation open.
            if (attempt.Reservation is { } reservation)
            {
                await reservation.ReleaseAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Prices the attempt and records it on the request's info (and the cost histogram); returns the record.</summary>
    private CostRecord Meter(in Attempt attempt, IEnumerable<ChatMessage> messages, string? responseModel, UsageDetails? usage, object? output, bool complete)
    {
        // The model the provider reports wins when the catalog knows it (a dated snapshot resolves to its entry);
        // otherwise the requested one, when the catalog knows that; otherwise the reported one, priced as unknown.
        var modelId = attempt.ModelId;
        if (responseModel is not null
            && !string.Equals(responseModel, modelId, StringComparison.Ordinal)
            && (modelId is null
                || _calculator.Catalog.Resolve(responseModel, attempt.Start).Definition is not null
                || _calculator.Catalog.Resolve(modelId, attempt.Start).Definition is null))
        {
            modelId = responseModel;
        }

        var estimated = !complete;
        long input, cached;
        if (usage?.InputTokenCount is null && usage?.CachedInputTokenCount is null)
        {
            input = _counter.CountTokens(messages, attempt.Options, modelId);
            cached = 0;
            estimated = true;
        }
        else
        {
            (input, cached) = CostCalculator.SplitInput(usage);
        }

        long outputTokens;
        if (usage?.OutputTokenCount is { } reported)
        {
            outputTokens = Math.Max(0, reported);
        }
        else
        {
            outputTokens = output switch
            {
                ChatResponse r => _counter.CountTokens(r.Text, modelId),
                StringBuilder sb when sb.Length > 0 => _counter.CountTokens(sb.ToString(), modelId),
                _ => 0,
            };
            estimated = true;
        }

        var info = attempt.Info;

        // GPU time (reported, or the attempt's duration) only for a model priced per GPU second: no clock read otherwise.
        var cost = _calculator.Compute(
            modelId,
            input,
            cached,
            outputTokens,
            static s => (s.Usage is null ? null : CostCalculator.ReportedGpuTime(s.Usage)) ?? (s.Start == 0 ? TimeSpan.Zero : s.Time.GetElapsedTime(s.Start)),
            (Usage: usage, Time: _time, Start: attempt.StartTimestamp),
            attempt.Start,
            out var model,
            out var charged);
        info.ReadTags(
            LlmOps.Prompts.PromptsTelemetryNames.PromptNameAttribute,
            LlmOps.Prompts.PromptsTelemetryNames.PromptVersionAttribute,
            out var promptName,
            out var promptVersion);
        estimated |= model.Definition is null; // not in the catalog: priced at the default tier, or not at all
        var record = new CostRecord
        {
            Model = model.ModelId,
            Tier = model.Tier,
            InputTokens = input,
            CachedInputTokens = cached,
            OutputTokens = outputTokens,
            GpuTime = charged,
            Cost = cost,
            PriceSource = model.Source,
            PricedAs = model.Definition?.Name,
            RequestOf = info,
            Attempt = attempt.Number,
            Timestamp = attempt.Start,
            Scope = attempt.Scope,
            IsEstimated = estimated,
            IsComplete = complete,
            PromptName = promptName?.ToString(),
            PromptVersion = promptVersion?.ToString(),
        };

        if (record.Tier.IsEmpty)
        {
            info.Set(record); // a tier tag from an earlier attempt keeps its value
        }
        else
        {
            info.SetWithTags(record, StandardTags.ModelTier); // computed from the record when read
        }

        if (_cost.Enabled)
        {
            _cost.Record(
                (double)record.Cost,
                new KeyValuePair<string, object?>(MeteringTelemetryNames.ResponseModelAttribute, record.Model),
                new KeyValuePair<string, object?>(MeteringTelemetryNames.ModelTierAttribute, record.Tier.Name),
                new KeyValuePair<string, object?>(MeteringTelemetryNames.CostEstimatedAttribute, record.IsEstimated),
                new KeyValuePair<string, object?>(MeteringTelemetryNames.CostIncompleteAttribute, !record.IsComplete));
        }

        return record;
    }

    private readonly record struct Attempt(
        LlmOpsInfo Info, int Number, LlmOpsScope Scope, string? ModelId, DateTimeOffset Start, long StartTimestamp, BudgetReservation? Reservation, ChatOptions? Options);
}
