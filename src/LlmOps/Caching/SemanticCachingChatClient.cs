using System.Globalization;
using System.Runtime.CompilerServices;
using LlmOps.Prompts;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmOps.Caching;

/// <summary>
/// Caches answers in two tiers: an exact tier keyed on a hash of everything that changes the answer, then a semantic
/// tier that serves a similar question from the same scope and context, only if it passes the similarity threshold, the
/// lexical false-hit guards and the trained pair check (<see cref="SemanticCacheGuards.PairCheck"/>), which decides from
/// the two questions' words (what differs, of which class, in which order) whether they want the same answer.
/// </summary>
/// <remarks>
/// <para>
/// The exact key covers the scope (tenant, user, feature), the model id, every message (after prompt rendering and
/// grounding, system message included), the prompt name and version, tools, response format, instructions,
/// temperature, top-p, top-k, penalties, seed, stop sequences, max tokens, reasoning options, provider-specific
/// additional properties, and <see cref="SemanticCacheOptions.KeyVersion"/>. The semantic tier embeds the last user turn
/// and searches only the partition of requests identical in everything else.
/// </para>
/// <para>
/// Never cached: exceptions and cancellations; streams not enumerated to the end, or ended without a finish reason;
/// finish reasons outside <see cref="SemanticCacheOptions.CacheableFinishReasons"/>; requests with a
/// <see cref="ChatOptions.ConversationId"/>, background responses; requests hotter than
/// <see cref="SemanticCacheOptions.MaxCacheableTemperature"/>; requests with a provider property that has no stable
/// serialised form (a cycle); answers <see cref="SemanticCacheOptions.IsBlocked"/> reports; requests that opt out with
/// <c>WithCacheMode(Bypass)</c>.
/// </para>
/// <para>
/// Identical concurrent requests on a cold key make one inner call (single-flight). Waiters get the leader's answer only
/// when the cache would store it; when the leader failed, was cancelled, or produced an answer that may not be cached,
/// each waiter calls the provider itself (or fails fast, see <see cref="SemanticCacheOptions.SingleFlightFallback"/>).
/// A wait is bounded by <see cref="SemanticCacheOptions.SingleFlightTimeout"/> and by the waiter's own token; cancelling
/// a waiter never cancels the leader. Every hit gets its own copy of the answer (messages, contents and
/// <c>AdditionalProperties</c> dictionaries); no caller ever holds an object the cache keeps. The result is recorded as
/// <see cref="SemanticCacheResult"/> on the request's <see cref="LlmOpsInfo"/> (<c>response.GetCacheResult()</c>) and in
/// the metrics named in <see cref="CachingTelemetryNames"/>. Store and embedding failures degrade to a miss and are
/// logged once (<c>CachingLog</c>, EventIds 1300–1399).
/// </para>
/// </remarks>
public sealed class SemanticCachingChatClient : DelegatingChatClient
{
    private readonly ISemanticCacheStore _store;
    private readonly ISemanticCacheFlightCoordinator? _coordinator;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embeddings;
    private readonly SemanticCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly string? _defaultModelId;
    private readonly ILogger _logger;
    private readonly CacheFlights _flights = new();
    private readonly CacheStorePolicy _policy;
    private readonly CacheMetrics _metrics;

    /// <summary>Initializes a new instance of the <see cref="SemanticCachingChatClient"/> class.</summary>
    /// <param name="innerClient">The client that answers misses.</param>
    /// <param name="store">Where entries live; a new <see cref="InMemorySemanticCacheStore"/> when <see langword="null"/>.</param>
    /// <param name="embeddingGenerator">Embeds questions for the semantic tier; exact tier only when <see langword="null"/>.</param>
    /// <param name="options">The options; defaults when <see langword="null"/>. Copied, so later changes have no effect.</param>
    /// <param name="timeProvider">The clock for ages, expiry and single-flight waits; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="telemetry">Where metrics go; <see cref="LlmOpsTelemetry.Shared"/> when <see langword="null"/>.</param>
    /// <param name="logger">Where absorbed failures are logged; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="SemanticCacheConfigurationException">An option is invalid; the message names it.</exception>
    public SemanticCachingChatClient(
        IChatClient innerClient,
        ISemanticCacheStore? store = null,
        IEmbeddingGenerator<string, Embedding<float>>? embeddingGenerator = null,
        SemanticCacheOptions? options = null,
        TimeProvider? timeProvider = null,
        LlmOpsTelemetry? telemetry = null,
        ILogger? logger = null)
        : base(innerClient)
    {
        _options = options?.Clone() ?? new SemanticCacheOptions();
        var errors = _options.Validate();
        if (errors.Count > 0)
        {
            throw new SemanticCacheConfigurationException(string.Join(" ", errors));
        }

        _time = timeProvider ?? TimeProvider.System;
        _store = store ?? new InMemorySemanticCacheStore(_options.MaxEntries, _time);
        _coordinator = _store as ISemanticCacheFlightCoordinator;
        _embeddings = embeddingGenerator;
        _defaultModelId = innerClient.GetService<ChatClientMetadata>()?.DefaultModelId;
        _logger = logger ?? NullLogger.Instance;
        _policy = new CacheStorePolicy(_options);
        _metrics = new CacheMetrics(telemetry ?? LlmOpsTelemetry.Shared, _time, _options.SavedCostEstimator);
    }

    /// <summary>Gets the store.</summary>
    public ISemanticCacheStore Store => _store;

    /// <summary>Gets the single-flight table (for tests).</summary>
    internal CacheFlights Flights => _flights;

    /// <summary>Removes the entries the selection matches (by scope, tenant, model, prompt, or all).</summary>
    /// <param name="selection">Which entries to remove.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number of entries removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="selection"/> is <see langword="null"/>.</exception>
    public ValueTask<int> InvalidateAsync(SemanticCacheInvalidation selection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        return _store.InvalidateAsync(selection, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="messages"/> holds a <see langword="null"/> message or content.</exception>
    /// <exception cref="SemanticCacheFlightException">
    /// The request waited on an identical in-flight request that produced no shareable answer, and
    /// <see cref="SemanticCacheOptions.SingleFlightFallback"/> is <see cref="SemanticCacheFlightFallback.FailFast"/>.
    /// </exception>
    public override Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = RequestMessages.Validate(messages, nameof(messages), options);

        // Joined lazily: when this stage creates the request's info, the options that carry it to the inner client are
        // copied only if the inner client is called, so a hit never copies the caller's options.
        var info = options.GetLlmOpsInfo();
        var owner = info is null;
        info ??= new LlmOpsInfo();
        RequestPlan plan;
        try
        {
            plan = Plan(list, options, info, withPartition: false);
        }
        catch (Exception ex)
        {
            return Task.FromException<ChatResponse>(ex);
        }

        if (plan.BypassReason is null)
        {
            return plan.Mode == SemanticCacheMode.Refresh
                ? LookupOrCallAsync(list, options, info, owner, WithPartition(plan, list, options), exactRead: null, cancellationToken)
                : ServeExactOrLookUp(list, options, info, owner, plan, cancellationToken);
        }

        // A bypass has nothing to do after the call: the inner client's task goes back as it is, unless this stage
        // must attach the info it created.
        _metrics.Bypass(info, plan.BypassReason);
        var forwarded = Forward(options, info, owner);
        Task<ChatResponse> inner;
        try
        {
            inner = InnerClient.GetResponseAsync(list, forwarded, cancellationToken); // this stage's own call site (StageTasks.Call's remarks)
        }
        catch (Exception ex)
        {
            inner = StageTasks.Failed(ex);
        }

        return owner ? StageTasks.AttachInfo(inner, info) : inner;
    }

    /// <summary>
    /// The exact tier first. A store that answers at once (the in-memory one) has a hit served here, with no state machine:
    /// the key is hashed once (the semantic partition is hashed only when the exact tier misses) and the answer copied
    /// once. Anything else (a miss, a store still reading) goes on in <see cref="LookupOrCallAsync"/>.
    /// </summary>
    private Task<ChatResponse> ServeExactOrLookUp(
        IList<ChatMessage> list, ChatOptions? options, LlmOpsInfo info, bool owner, RequestPlan plan, CancellationToken cancellationToken)
    {
        var read = ReadExactAsync(plan.Keys.Exact, cancellationToken);
        if (!read.IsCompletedSuccessfully)
        {
            return LookupOrCallAsync(list, options, info, owner, WithPartition(plan, list, options), read, cancellationToken);
        }

        if (read.Result is not { } exact || exact.ScopeHash != plan.ScopeHash)
        {
            return LookupOrCallAsync(list, options, info, owner, WithPartition(plan, list, options), new ValueTask<SemanticCacheEntry?>((SemanticCacheEntry?)null), cancellationToken);
        }

        _metrics.Hit(info, SemanticCacheTier.Exact, 1f, exact.Response, exact);
        ChatResponse response;
        ValueTask forget;
        try
        {
            response = CachedResponseCopier.ForCaller(exact.Response, info);
            forget = ForgetOnRejectionAsync(info, exact);
        }
        catch (Exception ex)
        {
            return Task.FromException<ChatResponse>(ex);
        }

        if (!forget.IsCompletedSuccessfully)
        {
            return FinishHitAsync(forget, response, info, owner);
        }

        forget.GetAwaiter().GetResult();
        if (owner)
        {
            response.AttachLlmOpsInfo(info);
        }

        return Task.FromResult(response);
    }

    private static async Task<ChatResponse> FinishHitAsync(ValueTask forget, ChatResponse response, LlmOpsInfo info, bool owner)
    {
        await forget.ConfigureAwait(false);
        if (owner)
        {
            response.AttachLlmOpsInfo(info);
        }

        return response;
    }

    /// <summary>The plan with the semantic partition hashed too (<see cref="Plan"/> may leave it out for the exact tier alone).</summary>
    private RequestPlan WithPartition(RequestPlan plan, IList<ChatMessage> messages, ChatOptions? options)
        => plan with { Keys = CacheRequestKeys.Compute(messages, options, plan.Scope, plan.ModelId, plan.Prompt, _options.KeyVersion) };

    private async Task<ChatResponse> LookupOrCallAsync(
        IList<ChatMessage> list, ChatOptions? options, LlmOpsInfo info, bool owner, RequestPlan plan, ValueTask<SemanticCacheEntry?>? exactRead,
        CancellationToken cancellationToken)
    {
        ChatResponse response;
        var lookup = await LookupAsync(plan, info, exactRead, cancellationToken).ConfigureAwait(false);
        if (lookup.HitResponse is { } hit)
        {
            response = CachedResponseCopier.ForCaller(hit, info);
            await ForgetOnRejectionAsync(info, lookup.ServedEntry).ConfigureAwait(false);
        }
        else
        {
            var outcome = FlightOutcome.NotShared("the identical request did not finish");
            try
            {
                response = await base.GetResponseAsync(list, Forward(options, info, owner), cancellationToken).ConfigureAwait(false);
                outcome = await StoreAsync(plan, lookup, info, response, updates: null, cancellationToken.IsCancellationRequested).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                outcome = Failed(ex);
                throw;
            }
            finally
            {
                await LandAsync(plan, lookup, outcome).ConfigureAwait(false);
            }
        }

        if (owner)
        {
            response.AttachLlmOpsInfo(info);
        }

        return response;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="messages"/> holds a <see langword="null"/> message or content.</exception>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = CacheRequestKeys.Validate(messages, nameof(messages));
        return StreamAsync(list, options, cancellationToken);
    }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null)
        {
            if (serviceType == typeof(ISemanticCacheStore) || serviceType.IsInstanceOfType(_store) && serviceType != typeof(object))
            {
                return _store;
            }

            if (_embeddings is not null && serviceType == typeof(IEmbeddingGenerator<string, Embedding<float>>))
            {
                return _embeddings;
            }
        }

        return base.GetService(serviceType, serviceKey);
    }

    /// <summary>The options for the inner client: the caller's, or (when this stage created the info) a copy that carries it.</summary>
    private static ChatOptions? Forward(ChatOptions? options, LlmOpsInfo info, bool owner)
        => owner ? new LlmOpsRequestOptions(options, info) : options;

    private static FlightOutcome Failed(Exception ex)
        => FlightOutcome.NotShared(ex is OperationCanceledException ? "the identical request was cancelled" : "the identical request failed", ex);

    private static ReadOnlyMemory<float> Normalise(ReadOnlyMemory<float> vector)
    {
        var norm = System.Numerics.Tensors.TensorPrimitives.Norm(vector.Span);
        if (norm is > 0.999f and < 1.001f || norm == 0f || float.IsNaN(norm))
        {
            return vector;
        }

        var copy = new float[vector.Length];
        System.Numerics.Tensors.TensorPrimitives.Divide(vector.Span, norm, copy);
        return copy;
    }

    /// <summary>Replays a cached answer as chunks: the original chunks when it was streamed, without usage.</summary>
    private static IEnumerable<ChatResponseUpdate> Replay(ChatResponse stored, IReadOnlyList<ChatResponseUpdate>? updates)
    {
        var source = updates ?? stored.ToChatResponseUpdates();
        foreach (var update in source)
        {
            if (CachedResponseCopier.UpdateForCaller(update) is { } copy)
            {
                yield return copy;
            }
        }
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IList<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = LlmOpsRequest.Join(options);
        var plan = Plan(messages, options, request.Info);
        string? modelId = null;
        if (plan.BypassReason is not null)
        {
            _metrics.Bypass(request.Info, plan.BypassReason);
            await foreach (var update in base.GetStreamingResponseAsync(messages, request.Options, cancellationToken).ConfigureAwait(false))
            {
                modelId ??= update.ModelId;
                yield return update;
            }
        }
        else
        {
            var lookup = await LookupAsync(plan, request.Info, exactRead: null, cancellationToken).ConfigureAwait(false);
            if (lookup.HitResponse is { } hit)
            {
                modelId = hit.ModelId;
                await ForgetOnRejectionAsync(request.Info, lookup.ServedEntry).ConfigureAwait(false);
                foreach (var update in Replay(hit, lookup.HitUpdates))
                {
                    yield return update;
                }
            }
            else
            {
                StreamObservation<ChatResponseUpdate> stream;
                try
                {
                    stream = new(base.GetStreamingResponseAsync(messages, request.Options, cancellationToken), cancellationToken);
                }
                catch (Exception ex)
                {
                    await LandAsync(plan, lookup, Failed(ex)).ConfigureAwait(false);
                    throw;
                }

                var outcome = FlightOutcome.NotShared("the identical request's stream was not enumerated to the end");
                try
                {
                    var updates = new List<ChatResponseUpdate>();
                    var copyable = true;
                    try
                    {
                        while (await stream.MoveNextAsync().ConfigureAwait(false))
                        {
                            var update = stream.Current;
                            modelId ??= update.ModelId;

                            // Keep a copy taken before the caller sees the chunk, so nothing the caller (or an outer
                            // stage) does to it later reaches the cache.
                            if (copyable && CachedResponseCopier.UpdateForStore(update) is { } copy)
                            {
                                updates.Add(copy);
                            }
                            else
                            {
                                copyable = false;
                            }

                            yield return update;
                        }
                    }
                    finally
                    {
                        // May throw (a provider's dispose failing): the outer finally still lands the flight.
                        await stream.DisposeAsync().ConfigureAwait(false);
                    }

                    outcome = copyable
                        ? await StoreAsync(plan, lookup, request.Info, updates.ToChatResponse(), updates, cancellationToken.IsCancellationRequested).ConfigureAwait(false)
                        : NotStored(request.Info, "a content of the answer has no JSON form and cannot be copied");
                }
                finally
                {
                    if (!stream.IsCompleted)
                    {
                        // Faulted, cancelled, or abandoned by the caller (break/dispose): nothing is stored.
                        outcome = stream.Failure is { } failure ? Failed(failure) : outcome;
                        if (request.Info.Get<SemanticCacheResult>() is { } result)
                        {
                            result.NotStoredReason ??= stream.Failure is null ? "the stream was not enumerated to the end" : "the request failed";
                        }
                    }

                    await LandAsync(plan, lookup, outcome).ConfigureAwait(false);
                }
            }
        }

        if (request.CreateFinalUpdate(modelId) is { } last)
        {
            yield return last;
        }
    }

    private RequestPlan Plan(IList<ChatMessage> messages, ChatOptions? options, LlmOpsInfo info, bool withPartition = true)
    {
        var mode = options.GetCacheMode();
        if (_policy.BypassReason(options, mode) is { } bypass)
        {
            return new RequestPlan(bypass, mode, default, default, default, null);
        }

        var scope = options.GetScope();
        var modelId = options?.ModelId ?? _defaultModelId;
        var prompt = _options.PromptIdentity is { } identify
            ? identify(info, options)
            : info.Get<PromptProvenance>() is { } provenance
                ? new SemanticCachePromptIdentity(provenance.Name, provenance.Version.ToString(CultureInfo.InvariantCulture))
                : null;
        var keys = CacheRequestKeys.Compute(messages, options, scope, modelId, prompt, _options.KeyVersion, withPartition);
        if (keys.UncacheableReason is { } reason)
        {
            CachingLog.RequestNotKeyable(_logger, reason);
            return new RequestPlan(reason, mode, default, default, default, null);
        }

        return new RequestPlan(null, mode, keys, scope, prompt, modelId);
    }

    /// <summary>Exact tier (unless <paramref name="exactRead"/> is that read, started already), single-flight, then (as the flight's leader, or alone) the semantic tier.</summary>
    private async ValueTask<Lookup> LookupAsync(RequestPlan plan, LlmOpsInfo info, ValueTask<SemanticCacheEntry?>? exactRead, CancellationToken cancellationToken)
    {
        var key = plan.Keys.Exact;
        if (plan.Mode != SemanticCacheMode.Refresh
            && await (exactRead ?? ReadExactAsync(key, cancellationToken)).ConfigureAwait(false) is { } exact
            && exact.ScopeHash == plan.ScopeHash)
        {
            _metrics.Hit(info, SemanticCacheTier.Exact, 1f, exact.Response, exact);
            return Lookup.Served(exact);
        }

        var flight = _flights.Join(key, out var leads);
        if (!leads)
        {
            var outcome = await _flights.WaitAsync(flight, _options.SingleFlightTimeout, _time, cancellationToken).ConfigureAwait(false);
            if (outcome.Answer is { } shared)
            {
                _metrics.Hit(info, SemanticCacheTier.Shared, null, shared.Response, shared.Entry);
                return new Lookup(null, shared, null, null, null);
            }

            if (ReferenceEquals(outcome, FlightOutcome.TimedOut))
            {
                CachingLog.FlightWaitTimedOut(_logger, _options.SingleFlightTimeout);
            }

            if (_options.SingleFlightFallback == SemanticCacheFlightFallback.FailFast)
            {
                throw new SemanticCacheFlightException(
                    $"This request waited on an identical in-flight request that produced no answer to share: {outcome.Reason}. "
                    + "Retry, or set SemanticCacheOptions.SingleFlightFallback to CallProvider to let waiters call the provider themselves.",
                    outcome.Failure);
            }

            flight = null; // go on alone: call the provider without leading a flight of our own
        }

        try
        {
            if (flight is not null && _coordinator is not null && plan.Mode != SemanticCacheMode.Refresh
                && await LeadAcrossInstancesAsync(_coordinator, plan, info, flight, cancellationToken).ConfigureAwait(false) is { } served)
            {
                return served;
            }

            return await SemanticLookupAsync(plan, info, flight, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (flight is not null)
        {
            await EndFlightAsync(key, flight, Failed(ex)).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// As the leader on this instance, takes the lease across instances or waits for the instance that holds it. Returns
    /// the answer served (another instance's, or one stored between the exact lookup and the lease), or
    /// <see langword="null"/> to go on and call the provider.
    /// </summary>
    private async ValueTask<Lookup?> LeadAcrossInstancesAsync(
        ISemanticCacheFlightCoordinator coordinator, RequestPlan plan, LlmOpsInfo info, CacheFlights.Flight flight, CancellationToken cancellationToken)
    {
        var key = plan.Keys.Exact;
        IAsyncDisposable? lease;
        try
        {
            lease = await coordinator.TryLeadAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Single-flight across instances is an optimisation: without it this request simply leads alone.
            CachingLog.FlightCoordinatorFailed(_logger, nameof(ISemanticCacheFlightCoordinator.TryLeadAsync), ex);
            return null;
        }

        if (lease is not null)
        {
            flight.HoldRemote(lease);

            // Another instance may have stored the answer and let go of its lease after our exact lookup: read once more,
            // so a request arriving just after a flight landed is served rather than calling the provider again.
            if (await ReadExactAsync(key, cancellationToken).ConfigureAwait(false) is { } late && late.ScopeHash == plan.ScopeHash)
            {
                _metrics.Hit(info, SemanticCacheTier.Exact, 1f, late.Response, late);
                await EndFlightAsync(key, flight, FlightOutcome.Shared(new CachedAnswer(late.Response, late.Updates, late))).ConfigureAwait(false);
                return Lookup.Served(late);
            }

            return null;
        }

        SemanticCacheEntry? entry;
        try
        {
            entry = await coordinator.WaitForLeaderAsync(key, _options.SingleFlightTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            CachingLog.FlightCoordinatorFailed(_logger, nameof(ISemanticCacheFlightCoordinator.WaitForLeaderAsync), ex);
            entry = null;
        }

        if (entry is not null && entry.ScopeHash == plan.ScopeHash)
        {
            _metrics.Hit(info, SemanticCacheTier.Shared, null, entry.Response, entry);
            await EndFlightAsync(key, flight, FlightOutcome.Shared(new CachedAnswer(entry.Response, entry.Updates, entry))).ConfigureAwait(false);
            return Lookup.Served(entry);
        }

        if (_options.SingleFlightFallback == SemanticCacheFlightFallback.FailFast)
        {
            const string reason = "the identical request on another instance stored no answer within the wait (it failed, was cancelled, stopped, or its answer may not be cached)";
            await EndFlightAsync(key, flight, FlightOutcome.NotShared(reason)).ConfigureAwait(false);
            throw new SemanticCacheFlightException(
                $"This request waited on an identical in-flight request that produced no answer to share: {reason}. "
                + "Retry, or set SemanticCacheOptions.SingleFlightFallback to CallProvider to let waiters call the provider themselves.");
        }

        // Go on as this instance's leader, without a lease across instances: call the provider ourselves.
        return null;
    }

    /// <summary>
    /// Reads the exact tier: the store's own value task when it completed at once; a store failure is logged and reads as a
    /// miss (a cancellation by the caller's token is not a failure: it comes back in the task).
    /// </summary>
    private ValueTask<SemanticCacheEntry?> ReadExactAsync(SemanticCacheKey key, CancellationToken cancellationToken)
    {
        ValueTask<SemanticCacheEntry?> read;
        try
        {
            read = _store.GetAsync(key, cancellationToken);
        }
        catch (Exception ex)
        {
            read = ValueTask.FromException<SemanticCacheEntry?>(ex);
        }

        return read.IsCompletedSuccessfully ? read : AwaitExactAsync(read, cancellationToken);
    }

    private async ValueTask<SemanticCacheEntry?> AwaitExactAsync(ValueTask<SemanticCacheEntry?> read, CancellationToken cancellationToken)
    {
        try
        {
            return await read.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            CachingLog.StoreReadFailed(_logger, nameof(ISemanticCacheStore.GetAsync), ex);
            return null;
        }
    }

    private async ValueTask<Lookup> SemanticLookupAsync(RequestPlan plan, LlmOpsInfo info, CacheFlights.Flight? flight, CancellationToken cancellationToken)
    {
        var query = plan.Keys.QueryText;
        if (query is null || _embeddings is null || !_options.EnableSemanticTier || plan.Mode == SemanticCacheMode.ExactOnly)
        {
            _metrics.Miss(info, SemanticCacheGuards.None, null);
            return new Lookup(null, null, flight, null, null);
        }

        // Embedded and fingerprinted without the courtesy around the question ("hi, quick question: …").
        var question = CacheQuestionText.Normalize(query);
        ReadOnlyMemory<float> embedding;
        try
        {
            var generated = await _embeddings.GenerateAsync([question], cancellationToken: cancellationToken).ConfigureAwait(false);
            embedding = Normalise(generated[0].Vector);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The semantic tier is an optimisation: an embedding failure degrades to a miss, never to a failed request.
            CachingLog.EmbeddingFailed(_logger, ex);
            _metrics.Miss(info, SemanticCacheGuards.None, null);
            return new Lookup(null, null, flight, null, null);
        }

        // Needed to guard a candidate and, on a miss, to store with the entry.
        var fingerprint = SemanticCacheFingerprint.FromQuestion(question);
        if (plan.Mode == SemanticCacheMode.Refresh)
        {
            // Skip the lookup, but store the fresh answer with its embedding so later paraphrases find it.
            _metrics.Miss(info, SemanticCacheGuards.None, null);
            return new Lookup(null, null, flight, embedding, fingerprint);
        }

        IReadOnlyList<SemanticCacheMatch> candidates;
        try
        {
            // Every candidate up to MaxCandidates, so a miss can still report the nearest similarity below the threshold.
            candidates = await _store.FindCandidatesAsync(plan.Keys.Partition, embedding, _options.MaxCandidates, -1f, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            CachingLog.StoreReadFailed(_logger, nameof(ISemanticCacheStore.FindCandidatesAsync), ex);
            candidates = [];
        }

        // Most similar first: the first candidate above the threshold that passes the guards (or, below it, has the same
        // words respelled) is served; a rejected nearest one (an opposite, another number) does not hide a farther true
        // paraphrase.
        var rejectedBy = SemanticCacheGuards.None;
        float? nearest = null;
        foreach (var m in candidates)
        {
            if (m.Entry.Embedding is null || m.Entry.ScopeHash != plan.ScopeHash)
            {
                continue;
            }

            nearest ??= m.Similarity;
            if (m.Similarity < _options.SimilarityThreshold)
            {
                // Below the threshold only the same words respelled (typos score as low as 0.35) are served.
                if ((_options.Guards & SemanticCacheGuards.PairCheck) == 0 || m.Similarity < CachePairModel.SameWordsFloor)
                {
                    break;
                }

                if (m.Entry.Fingerprint is not { } respelled || !CachePairModel.SameWordsBelowThreshold(fingerprint, respelled, m.Similarity))
                {
                    continue;
                }
            }
            else
            {
                var rejected = m.Entry.Fingerprint is { } candidate
                    ? CachePairModel.Default.Check(fingerprint, candidate, m.Similarity, _options.Guards)
                    : _options.Guards;
                if (rejected != SemanticCacheGuards.None)
                {
                    rejectedBy |= rejected;
                    continue;
                }
            }

            if (_options.Verifier is { } verifier
                && !await verifier(new CacheHitArguments(query, m.Entry, m.Similarity, plan.Scope), cancellationToken).ConfigureAwait(false))
            {
                rejectedBy |= SemanticCacheGuards.Verifier;
                continue;
            }

            _metrics.Hit(info, SemanticCacheTier.Semantic, m.Similarity, m.Entry.Response, m.Entry);
            if (flight is not null)
            {
                await EndFlightAsync(plan.Keys.Exact, flight, FlightOutcome.Shared(new CachedAnswer(m.Entry.Response, m.Entry.Updates, m.Entry))).ConfigureAwait(false);
            }

            return Lookup.Served(m.Entry);
        }

        _metrics.Miss(info, rejectedBy, nearest);
        return new Lookup(null, null, flight, embedding, fingerprint);
    }

    /// <summary>Ends the request's flight, if it leads one, with what its waiters get.</summary>
    private ValueTask LandAsync(RequestPlan plan, Lookup lookup, FlightOutcome outcome)
        => lookup.Flight is { } flight ? EndFlightAsync(plan.Keys.Exact, flight, outcome) : ValueTask.CompletedTask;

    /// <summary>
    /// Hands the outcome to this instance's waiters, then gives up the lease across instances (after the answer was
    /// stored, so another instance's waiter that sees the lease gone finds the entry).
    /// </summary>
    private async ValueTask EndFlightAsync(SemanticCacheKey key, CacheFlights.Flight flight, FlightOutcome outcome)
    {
        _flights.Complete(key, flight, outcome);
        if (flight.TakeRemote() is { } remote)
        {
            try
            {
                await remote.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The lease expires on its own; other instances' waiters lose at most its remaining time.
                CachingLog.FlightCoordinatorFailed(_logger, "release", ex);
            }
        }
    }

    private static FlightOutcome NotStored(LlmOpsInfo info, string reason)
    {
        if (info.Get<SemanticCacheResult>() is { } result)
        {
            result.NotStoredReason = reason;
        }

        return FlightOutcome.NotShared("its answer may not be cached: " + reason);
    }

    /// <summary>Writes a fresh answer when it may be cached; returns what waiters on the flight get.</summary>
    private async ValueTask<FlightOutcome> StoreAsync(
        RequestPlan plan, Lookup lookup, LlmOpsInfo info, ChatResponse response, List<ChatResponseUpdate>? updates, bool cancelled)
    {
        var reason = cancelled ? "the request was cancelled" : _policy.NotCacheableReason(info, response, streamed: updates is not null);
        if (reason is not null)
        {
            return NotStored(info, reason);
        }

        if (CachedResponseCopier.ForStore(response) is not { } copy)
        {
            return NotStored(info, "a content of the answer has no JSON form and cannot be copied");
        }

        var now = _time.GetUtcNow();
        var entry = new SemanticCacheEntry
        {
            Key = plan.Keys.Exact,
            Partition = plan.Keys.Partition,
            Response = copy,
            Updates = updates,
            Embedding = lookup.Embedding,
            Fingerprint = lookup.Embedding is null ? null : lookup.Fingerprint,
            CreatedAt = now,
            ExpiresAt = _options.TimeToLive is { } ttl ? now + ttl : null,
            ScopeHash = plan.ScopeHash,
            TenantHash = SemanticCacheInvalidation.TenantHashOf(plan.Scope.Tenant),
            ModelId = plan.ModelId,
            PromptName = plan.Prompt?.Name,
            PromptVersion = plan.Prompt?.Version,
            PromptText = _options.StorePromptText ? plan.Keys.QueryText : null,
        };

        var result = info.Get<SemanticCacheResult>();
        try
        {
            // The answer is complete: a late cancellation must not lose the write (or leave waiters hanging).
            await _store.SetAsync(entry, CancellationToken.None).ConfigureAwait(false);
            if (result is not null)
            {
                result.Stored = true;
            }
        }
        catch (Exception ex)
        {
            // A failing store costs the caller a cache write, never the answer they already have.
            CachingLog.StoreWriteFailed(_logger, ex);
            if (result is not null)
            {
                result.NotStoredReason = "the store failed: " + ex.GetType().Name;
            }

            return FlightOutcome.Shared(new CachedAnswer(copy, updates, null));
        }

        await ForgetOnRejectionAsync(info, entry).ConfigureAwait(false);
        return FlightOutcome.Shared(new CachedAnswer(copy, updates, entry));
    }

    /// <summary>
    /// Lets an outer stage that rejects the answer (a guardrail blocking the output) remove the entry this request wrote
    /// or was served, so a blocked answer is never served again. Only an outer stage that can reject opens the
    /// <see cref="AnswerRejection"/> channel, so requests without one pay nothing here.
    /// </summary>
    private ValueTask ForgetOnRejectionAsync(LlmOpsInfo info, SemanticCacheEntry? entry)
        => entry is null || info.Get<AnswerRejection>() is not { } rejection
            ? ValueTask.CompletedTask
            : RegisterForgetOnRejectionAsync(rejection, info, entry);

    /// <summary>Kept apart from <see cref="ForgetOnRejectionAsync"/>: a lambda's captures are allocated at method entry, so the common path must not contain one.</summary>
    private ValueTask RegisterForgetOnRejectionAsync(AnswerRejection rejection, LlmOpsInfo info, SemanticCacheEntry entry)
        => rejection.OnRejectedAsync(async _ =>
        {
            try
            {
                await _store.InvalidateAsync(SemanticCacheInvalidation.ForEntry(entry), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                CachingLog.RejectedEntryRemovalFailed(_logger, ex);
                return;
            }

            if (info.Get<SemanticCacheResult>() is { } result)
            {
                result.Stored = false;
                result.NotStoredReason = "an outer stage rejected the answer (a guardrail blocked it); the entry was removed";
            }
        });

    private readonly record struct RequestPlan(
        string? BypassReason, SemanticCacheMode Mode, CacheRequestKeys Keys, LlmOpsScope Scope, SemanticCachePromptIdentity? Prompt, string? ModelId)
    {
        /// <summary>Gets the scope label every hit must match (defence in depth against key collisions).</summary>
        public SemanticCacheKey ScopeHash => SemanticCacheInvalidation.ScopeHashOf(Scope);
    }

    /// <summary>A lookup's result: a hit, or a miss with the flight this request leads (none when it goes alone).</summary>
    /// <remarks>A stored entry served is carried as itself, so a hit allocates nothing here.</remarks>
    private readonly record struct Lookup(
        SemanticCacheEntry? HitEntry, CachedAnswer? SharedAnswer, CacheFlights.Flight? Flight, ReadOnlyMemory<float>? Embedding, SemanticCacheFingerprint? Fingerprint)
    {
        /// <summary>Gets the stored answer served (an entry's or a flight's), or <see langword="null"/> on a miss.</summary>
        public ChatResponse? HitResponse => HitEntry?.Response ?? SharedAnswer?.Response;

        /// <summary>Gets the stored chunks of the answer served, when it was streamed.</summary>
        public IReadOnlyList<ChatResponseUpdate>? HitUpdates => HitEntry is { } e ? e.Updates : SharedAnswer?.Updates;

        /// <summary>Gets the entry behind the answer served, when it was stored.</summary>
        public SemanticCacheEntry? ServedEntry => HitEntry ?? SharedAnswer?.Entry;

        public static Lookup Served(SemanticCacheEntry entry) => new(entry, null, null, null, null);
    }
}
