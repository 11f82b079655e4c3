using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Runtime.CompilerServices;
using LlmOps.Prompts;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;

namespace LlmOps.Caching;

/// <summary>
/// Caches answers in two tiers: an exact tier keyed on a hash of everything that changes the answer, then a semantic
/// tier that serves a similar question from the same scope and context, only if it passes the similarity threshold and
/// the false-hit guards.
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
/// Never cached: exceptions and cancellations; streams not enumerated to the end; finish reasons outside
/// <see cref="SemanticCacheOptions.CacheableFinishReasons"/>; requests with a <see cref="ChatOptions.ConversationId"/>,
/// background responses; requests hotter than <see cref="SemanticCacheOptions.MaxCacheableTemperature"/>; answers
/// <see cref="SemanticCacheOptions.IsBlocked"/> reports; requests that opt out with <c>WithCacheMode(Bypass)</c>.
/// </para>
/// <para>
/// Identical concurrent requests on a cold key make one inner call (single-flight); its answer, or its failure, reaches
/// every waiter. A waiter whose leader was cancelled retries on its own. Hits carry copies; no caller ever sees the
/// cached objects. The result is recorded as <see cref="SemanticCacheResult"/> on the request's <see cref="LlmOpsInfo"/>
/// (<c>response.GetCacheResult()</c>) and in the metrics <c>llmops.cache.requests</c> and <c>llmops.cache.saved_cost</c>.
/// </para>
/// </remarks>
public sealed class SemanticCachingChatClient : DelegatingChatClient
{
    private readonly ISemanticCacheStore _store;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embeddings;
    private readonly SemanticCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly string? _defaultModelId;
    private readonly Counter<long> _requests;
    private readonly Counter<double> _savedCost;
    private readonly ConcurrentDictionary<SemanticCacheKey, Flight> _flights = new();

    /// <summary>Initializes a new instance of the <see cref="SemanticCachingChatClient"/> class.</summary>
    /// <param name="innerClient">The client that answers misses.</param>
    /// <param name="store">Where entries live; a new <see cref="InMemorySemanticCacheStore"/> when <see langword="null"/>.</param>
    /// <param name="embeddingGenerator">Embeds questions for the semantic tier; exact tier only when <see langword="null"/>.</param>
    /// <param name="options">The options; defaults when <see langword="null"/>. Copied, so later changes have no effect.</param>
    /// <param name="timeProvider">The clock for ages and expiry; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="telemetry">Where metrics go; <see cref="LlmOpsTelemetry.Shared"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="SemanticCacheConfigurationException">An option is invalid; the message names it.</exception>
    public SemanticCachingChatClient(
        IChatClient innerClient,
        ISemanticCacheStore? store = null,
        IEmbeddingGenerator<string, Embedding<float>>? embeddingGenerator = null,
        SemanticCacheOptions? options = null,
        TimeProvider? timeProvider = null,
        LlmOpsTelemetry? telemetry = null)
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
        _embeddings = embeddingGenerator;
        _defaultModelId = innerClient.GetService<ChatClientMetadata>()?.DefaultModelId;
        var t = telemetry ?? LlmOpsTelemetry.Shared;
        _requests = t.GetOrCreateCounter<long>(
            "llmops.cache.requests", "{request}", "Requests seen by the cache, tagged llmops.cache.status (hit, miss, bypass) and llmops.cache.tier.");
        _savedCost = t.GetOrCreateCounter<double>(
            "llmops.cache.saved_cost", "{cost}", "Provider cost avoided by cache hits, in the price catalog's currency.");
    }

    /// <summary>Gets the store.</summary>
    public ISemanticCacheStore Store => _store;

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
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var request = LlmOpsRequest.Join(options);
        var plan = Plan(messages, options, request.Info);
        ChatResponse response;
        if (plan.BypassReason is not null)
        {
            Record(request.Info, new SemanticCacheResult { Status = SemanticCacheStatus.Bypassed, BypassReason = plan.BypassReason });
            response = await base.GetResponseAsync(messages, request.Options, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var lookup = await LookupAsync(plan, request.Info, cancellationToken).ConfigureAwait(false);
            if (lookup.Hit is { } hit)
            {
                response = CopyResponse(hit.Response);
                await ForgetOnRejectionAsync(request.Info, hit.Entry).ConfigureAwait(false);
            }
            else
            {
                var flight = lookup.Flight!;
                try
                {
                    response = await base.GetResponseAsync(messages, request.Options, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    EndFlight(plan.Keys.Exact, flight, ex, cancellationToken);
                    throw;
                }

                var stored = await StoreAsync(plan, lookup, request.Info, response, updates: null, cancellationToken.IsCancellationRequested).ConfigureAwait(false);
                EndFlight(plan.Keys.Exact, flight, stored);
            }
        }

        request.AttachTo(response);

        return response;
    }

    /// <inheritdoc/>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return StreamAsync(messages, options, cancellationToken);
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

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = LlmOpsRequest.Join(options);
        var plan = Plan(messages, options, request.Info);
        string? modelId = null;
        if (plan.BypassReason is not null)
        {
            Record(request.Info, new SemanticCacheResult { Status = SemanticCacheStatus.Bypassed, BypassReason = plan.BypassReason });
            await foreach (var update in base.GetStreamingResponseAsync(messages, request.Options, cancellationToken).ConfigureAwait(false))
            {
                modelId ??= update.ModelId;
                yield return update;
            }
        }
        else
        {
            var lookup = await LookupAsync(plan, request.Info, cancellationToken).ConfigureAwait(false);
            if (lookup.Hit is { } hit)
            {
                modelId = hit.Response.ModelId;
                await ForgetOnRejectionAsync(request.Info, hit.Entry).ConfigureAwait(false);
                foreach (var update in Replay(hit))
                {
                    yield return update;
                }
            }
            else
            {
                var flight = lookup.Flight!;
                var updates = new List<ChatResponseUpdate>();
                StreamObservation<ChatResponseUpdate> stream;
                try
                {
                    stream = new(base.GetStreamingResponseAsync(messages, request.Options, cancellationToken), cancellationToken);
                }
                catch (Exception ex)
                {
                    EndFlight(plan.Keys.Exact, flight, ex, cancellationToken);
                    throw;
                }

                try
                {
                    while (await stream.MoveNextAsync().ConfigureAwait(false))
                    {
                        var update = stream.Current;
                        modelId ??= update.ModelId;

                        // Keep a copy taken before the caller sees the chunk, so nothing the caller (or an outer
                        // stage) does to it later reaches the cache.
                        updates.Add(CopyUpdate(update, keepUsage: true)!);
                        yield return update;
                    }
                }
                finally
                {
                    await stream.DisposeAsync().ConfigureAwait(false);

                    if (!stream.IsCompleted)
                    {
                        // Faulted, cancelled, or abandoned by the caller (break/dispose): nothing is stored, and
                        // waiters either see the failure or retry on their own.
                        EndFlight(plan.Keys.Exact, flight, stream.Failure, cancellationToken);
                        if (request.Info.Get<SemanticCacheResult>() is { } result)
                        {
                            result.NotStoredReason ??= stream.Failure is null ? "the stream was not enumerated to the end" : "the request failed";
                        }
                    }
                }

                var response = updates.ToChatResponse();
                var stored = await StoreAsync(plan, lookup, request.Info, response, updates, cancellationToken.IsCancellationRequested).ConfigureAwait(false);
                EndFlight(plan.Keys.Exact, flight, stored);
            }
        }

        if (request.CreateFinalUpdate(modelId) is { } last)
        {
            yield return last;
        }
    }

    private RequestPlan Plan(IEnumerable<ChatMessage> messages, ChatOptions? options, LlmOpsInfo info)
    {
        var mode = options.GetCacheMode();
        string? bypass = mode == SemanticCacheMode.Bypass ? "the request opted out (SemanticCacheMode.Bypass)"
            : options?.ConversationId is not null ? "the request continues a server-side conversation (ConversationId)"
            : options?.AllowBackgroundResponses == true || options?.ContinuationToken is not null ? "the request uses background responses"
            : options?.Temperature is float t && t > _options.MaxCacheableTemperature ? "the temperature is above SemanticCacheOptions.MaxCacheableTemperature"
            : null;
        if (bypass is not null)
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
        var keys = CacheRequestKeys.Compute(messages, options, scope, modelId, prompt, _options.KeyVersion);
        return new RequestPlan(null, mode, keys, scope, prompt, modelId);
    }

    /// <summary>Exact tier, single-flight, then (as the flight's leader) the semantic tier.</summary>
    private async ValueTask<Lookup> LookupAsync(RequestPlan plan, LlmOpsInfo info, CancellationToken cancellationToken)
    {
        var key = plan.Keys.Exact;
        while (true)
        {
            if (plan.Mode != SemanticCacheMode.Refresh
                && await _store.GetAsync(key, cancellationToken).ConfigureAwait(false) is { } exact
                && exact.ScopeHash == plan.ScopeHash)
            {
                var hit = new CachedAnswer(exact.Response, exact.Updates, exact);
                RecordHit(info, SemanticCacheTier.Exact, 1f, hit);
                return new Lookup(hit, null, null, null);
            }

            var flight = new Flight();
            var existing = _flights.GetOrAdd(key, flight);
            if (!ReferenceEquals(existing, flight))
            {
                var shared = await existing.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (shared is null)
                {
                    continue; // the leader was cancelled or abandoned its stream: try again ourselves
                }

                RecordHit(info, SemanticCacheTier.Shared, null, shared);
                return new Lookup(shared, null, null, null);
            }

            try
            {
                return await LeadAsync(plan, info, flight, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                EndFlight(key, flight, ex, cancellationToken);
                throw;
            }
        }
    }

    private async ValueTask<Lookup> LeadAsync(RequestPlan plan, LlmOpsInfo info, Flight flight, CancellationToken cancellationToken)
    {
        var query = plan.Keys.QueryText;
        if (query is null || _embeddings is null || !_options.EnableSemanticTier || plan.Mode == SemanticCacheMode.ExactOnly)
        {
            RecordMiss(info, SemanticCacheGuards.None, null);
            return new Lookup(null, flight, null, null);
        }

        ReadOnlyMemory<float> embedding;
        try
        {
            var generated = await _embeddings.GenerateAsync([query], cancellationToken: cancellationToken).ConfigureAwait(false);
            embedding = Normalise(generated[0].Vector);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The semantic tier is an optimisation: an embedding failure degrades to a miss, never to a failed request.
            RecordMiss(info, SemanticCacheGuards.None, null);
            return new Lookup(null, flight, null, null);
        }

        // Needed to guard a candidate and, on a miss, to store with the entry.
        var fingerprint = SemanticCacheFingerprint.Create(query);
        if (plan.Mode == SemanticCacheMode.Refresh)
        {
            // Skip the lookup, but store the fresh answer with its embedding so later paraphrases find it.
            RecordMiss(info, SemanticCacheGuards.None, null);
            return new Lookup(null, flight, embedding, fingerprint);
        }

        var match = await _store.FindNearestAsync(plan.Keys.Partition, embedding, cancellationToken).ConfigureAwait(false);
        if (match is { } m && m.Entry.Embedding is not null && m.Entry.ScopeHash == plan.ScopeHash)
        {
            if (m.Similarity < _options.SimilarityThreshold)
            {
                RecordMiss(info, SemanticCacheGuards.None, m.Similarity);
                return new Lookup(null, flight, embedding, fingerprint);
            }

            var rejectedBy = m.Entry.Fingerprint is { } candidate
                ? fingerprint.Compare(candidate, _options.Guards)
                : _options.Guards != SemanticCacheGuards.None ? _options.Guards : SemanticCacheGuards.None;
            if (rejectedBy == SemanticCacheGuards.None && _options.Verifier is { } verifier
                && !await verifier(new CacheHitArguments(query, m.Entry, m.Similarity, plan.Scope), cancellationToken).ConfigureAwait(false))
            {
                rejectedBy = SemanticCacheGuards.Verifier;
            }

            if (rejectedBy != SemanticCacheGuards.None)
            {
                RecordMiss(info, rejectedBy, m.Similarity);
                return new Lookup(null, flight, embedding, fingerprint);
            }

            var hit = new CachedAnswer(m.Entry.Response, m.Entry.Updates, m.Entry);
            RecordHit(info, SemanticCacheTier.Semantic, m.Similarity, hit);
            EndFlight(plan.Keys.Exact, flight, hit);
            return new Lookup(hit, null, null, null);
        }

        RecordMiss(info, SemanticCacheGuards.None, null);
        return new Lookup(null, flight, embedding, fingerprint);
    }

    /// <summary>Writes a fresh answer when it may be cached; returns what waiters on the flight get.</summary>
    private async ValueTask<CachedAnswer> StoreAsync(
        RequestPlan plan, Lookup lookup, LlmOpsInfo info, ChatResponse response, List<ChatResponseUpdate>? updates, bool cancelled)
    {
        var copy = StripForCache(response);
        var stored = updates;
        var reason = cancelled ? "the request was cancelled" : NotCacheableReason(info, response);
        var result = info.Get<SemanticCacheResult>();
        if (reason is not null)
        {
            if (result is not null)
            {
                result.NotStoredReason = reason;
            }

            return new CachedAnswer(copy, stored, null);
        }

        var now = _time.GetUtcNow();
        var entry = new SemanticCacheEntry
        {
            Key = plan.Keys.Exact,
            Partition = plan.Keys.Partition,
            Response = copy,
            Updates = stored,
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

        try
        {
            // The answer is complete: a late cancellation must not lose the write (or leave waiters hanging).
            await _store.SetAsync(entry, CancellationToken.None).ConfigureAwait(false);
            if (result is not null)
            {
                result.Stored = true;
            }

            await ForgetOnRejectionAsync(info, entry).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A failing store costs the caller a cache write, never the answer they already have.
            if (result is not null)
            {
                result.NotStoredReason = "the store failed: " + ex.GetType().Name;
            }
        }

        return new CachedAnswer(copy, stored, entry);
    }

    /// <summary>
    /// Lets an outer stage that rejects the answer (a guardrail blocking the output) remove the entry this request wrote
    /// or was served, so a blocked answer is never served again. Only an outer stage that can reject opens the
    /// <see cref="AnswerRejection"/> channel, so requests without one pay nothing here.
    /// </summary>
    private ValueTask ForgetOnRejectionAsync(LlmOpsInfo info, SemanticCacheEntry? entry)
    {
        if (entry is null || info.Get<AnswerRejection>() is not { } rejection)
        {
            return ValueTask.CompletedTask;
        }

        return rejection.OnRejectedAsync(async _ =>
        {
            await _store.InvalidateAsync(SemanticCacheInvalidation.ForEntry(entry), CancellationToken.None).ConfigureAwait(false);
            if (info.Get<SemanticCacheResult>() is { } result)
            {
                result.Stored = false;
                result.NotStoredReason = "an outer stage rejected the answer (a guardrail blocked it); the entry was removed";
            }
        });
    }

    private string? NotCacheableReason(LlmOpsInfo info, ChatResponse response)
    {
        if (response.FinishReason is not { } finish)
        {
            return "the response has no finish reason";
        }

        if (finish == ChatFinishReason.ContentFilter || !_options.CacheableFinishReasons.Contains(finish))
        {
            return $"finish reason '{finish}' is not in SemanticCacheOptions.CacheableFinishReasons";
        }

        if (response.ConversationId is not null)
        {
            return "the response belongs to a server-side conversation";
        }

        if (response.ContinuationToken is not null)
        {
            return "the response is a background response";
        }

        if (_options.IsBlocked?.Invoke(info, response) == true)
        {
            return "a guardrail blocked the response";
        }

        return null;
    }

    private void EndFlight(SemanticCacheKey key, Flight flight, CachedAnswer answer)
    {
        _flights.TryRemove(new KeyValuePair<SemanticCacheKey, Flight>(key, flight));
        flight.TrySetResult(answer);
    }

    private void EndFlight(SemanticCacheKey key, Flight flight, Exception? failure, CancellationToken cancellationToken)
    {
        _flights.TryRemove(new KeyValuePair<SemanticCacheKey, Flight>(key, flight));
        if (failure is null || (failure is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            flight.TrySetResult(null); // the leader's own caller gave up: waiters retry
        }
        else
        {
            flight.Fail(failure);
        }
    }

    private void RecordHit(LlmOpsInfo info, SemanticCacheTier tier, float? similarity, CachedAnswer hit)
    {
        decimal? saved = null;
        if (hit.Response.Usage is { } usage && _options.SavedCostEstimator is { } estimate)
        {
            saved = estimate(hit.Entry?.ModelId ?? hit.Response.ModelId, usage);
        }

        Record(info, new SemanticCacheResult
        {
            Status = SemanticCacheStatus.Hit,
            Tier = tier,
            Similarity = similarity,
            Age = hit.Entry is { } e ? _time.GetUtcNow() - e.CreatedAt : null,
            SavedCost = saved,
        });
        if (saved is { } s && s > 0)
        {
            _savedCost.Add((double)s, new KeyValuePair<string, object?>("llmops.cache.tier", TierTag(tier)));
        }
    }

    private void RecordMiss(LlmOpsInfo info, SemanticCacheGuards rejectedBy, float? candidateSimilarity)
        => Record(info, new SemanticCacheResult
        {
            Status = SemanticCacheStatus.Miss,
            RejectedBy = rejectedBy,
            CandidateSimilarity = candidateSimilarity,
        });

    private void Record(LlmOpsInfo info, SemanticCacheResult result)
    {
        info.Set(result);
        var status = result.Status switch
        {
            SemanticCacheStatus.Hit => "hit",
            SemanticCacheStatus.Bypassed => "bypass",
            _ => "miss",
        };
        var tier = TierTag(result.Tier);
        info.AddTag("llmops.cache.status", status);
        info.AddTag("llmops.cache.tier", tier);
        var tags = new TagList
        {
            { "llmops.cache.status", status },
            { "llmops.cache.tier", tier },
        };
        if (result.RejectedBy != SemanticCacheGuards.None)
        {
            tags.Add("llmops.cache.rejected_by", result.RejectedBy.ToString());
        }

        _requests.Add(1, tags);
    }

    private static string TierTag(SemanticCacheTier tier) => tier switch
    {
        SemanticCacheTier.Exact => "exact",
        SemanticCacheTier.Semantic => "semantic",
        SemanticCacheTier.Shared => "shared",
        _ => "none",
    };

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

    /// <summary>The copy kept in the cache: no provider raw object, no per-request LlmOps info.</summary>
    private static ChatResponse StripForCache(ChatResponse response)
    {
        return new ChatResponse(CopyMessages(response.Messages))
        {
            ResponseId = response.ResponseId,
            ModelId = response.ModelId,
            CreatedAt = response.CreatedAt,
            FinishReason = response.FinishReason,
            Usage = response.Usage,
            AdditionalProperties = WithoutInfo(response.AdditionalProperties),
        };
    }

    /// <summary>A caller's copy of a cached answer. Usage is left off: a hit consumed no tokens.</summary>
    private static ChatResponse CopyResponse(ChatResponse cached) => new(CopyMessages(cached.Messages))
    {
        ResponseId = cached.ResponseId,
        ModelId = cached.ModelId,
        CreatedAt = cached.CreatedAt,
        FinishReason = cached.FinishReason,
        AdditionalProperties = cached.AdditionalProperties is null ? null : new AdditionalPropertiesDictionary(cached.AdditionalProperties),
    };

    private static List<ChatMessage> CopyMessages(IList<ChatMessage> messages)
    {
        var copy = new List<ChatMessage>(messages.Count);
        foreach (var message in messages)
        {
            copy.Add(new ChatMessage(message.Role, CopyContents(message.Contents, keepUsage: true))
            {
                AuthorName = message.AuthorName,
                MessageId = message.MessageId,
                CreatedAt = message.CreatedAt,
                AdditionalProperties = message.AdditionalProperties is null ? null : new AdditionalPropertiesDictionary(message.AdditionalProperties),
            });
        }

        return copy;
    }

    /// <summary>Replays a cached answer as chunks: the original chunks when it was streamed, without usage.</summary>
    private static IEnumerable<ChatResponseUpdate> Replay(CachedAnswer hit)
    {
        var source = hit.Updates ?? (IReadOnlyList<ChatResponseUpdate>)hit.Response.ToChatResponseUpdates();
        foreach (var update in source)
        {
            if (CopyUpdate(update, keepUsage: false) is { } copy)
            {
                yield return copy;
            }
        }
    }

    private static ChatResponseUpdate? CopyUpdate(ChatResponseUpdate update, bool keepUsage)
    {
        var contents = CopyContents(update.Contents, keepUsage);
        if (contents.Count == 0 && update.FinishReason is null && !keepUsage)
        {
            return null;
        }

        return new ChatResponseUpdate(update.Role, contents)
        {
            AuthorName = update.AuthorName,
            MessageId = update.MessageId,
            ResponseId = update.ResponseId,
            ModelId = update.ModelId,
            CreatedAt = update.CreatedAt,
            FinishReason = update.FinishReason,
            AdditionalProperties = WithoutInfo(update.AdditionalProperties),
        };
    }

    /// <summary>Copies a content list; text (the common, mutable case) is copied too, other contents are shared.</summary>
    private static List<AIContent> CopyContents(IList<AIContent> contents, bool keepUsage)
    {
        var copy = new List<AIContent>(contents.Count);
        foreach (var content in contents)
        {
            switch (content)
            {
                case UsageContent when !keepUsage:
                    break;
                case TextContent text:
                    copy.Add(new TextContent(text.Text) { AdditionalProperties = text.AdditionalProperties });
                    break;
                default:
                    copy.Add(content);
                    break;
            }
        }

        return copy;
    }

    /// <summary>A copy without the per-request LlmOps info, which belongs to the request that produced it.</summary>
    private static AdditionalPropertiesDictionary? WithoutInfo(AdditionalPropertiesDictionary? original)
    {
        if (original is not { Count: > 0 })
        {
            return null;
        }

        var props = new AdditionalPropertiesDictionary(original);
        props.Remove(LlmOpsChatOptionsExtensions.InfoKey);
        return props.Count == 0 ? null : props;
    }

    private readonly record struct RequestPlan(
        string? BypassReason, SemanticCacheMode Mode, CacheRequestKeys Keys, LlmOpsScope Scope, SemanticCachePromptIdentity? Prompt, string? ModelId)
    {
        /// <summary>Gets the scope label every hit must match (defence in depth against key collisions).</summary>
        public SemanticCacheKey ScopeHash => SemanticCacheInvalidation.ScopeHashOf(Scope);
    }

    private readonly record struct Lookup(CachedAnswer? Hit, Flight? Flight, ReadOnlyMemory<float>? Embedding, SemanticCacheFingerprint? Fingerprint);

    /// <summary>An answer served from the cache or shared by a flight; <see cref="Entry"/> is null when it was not stored.</summary>
    private sealed record CachedAnswer(ChatResponse Response, IReadOnlyList<ChatResponseUpdate>? Updates, SemanticCacheEntry? Entry);

    /// <summary>One in-flight request on a cold exact key. A null result means "retry": the leader gave up.</summary>
    private sealed class Flight : TaskCompletionSource<CachedAnswer?>
    {
        public Flight()
            : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
        }

        public void Fail(Exception failure)
        {
            if (TrySetException(failure))
            {
                // Observe it, so a flight nobody waited on does not raise UnobservedTaskException.
                _ = Task.Exception;
            }
        }
    }
}
