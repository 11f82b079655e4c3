using System.Collections.Frozen;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using LlmOps.Metering;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace LlmOps.Routing;

/// <summary>
/// Routes each request to a deployment of a model group: chooses the group (the caller's explicit choice, a tier, or the
/// <see cref="IRoutingPolicy"/>), admits it against the budget (downgrading when near the limit), balances load across
/// the group's deployments, retries and fails over with Polly.Core, falls back across groups, and cascades up the tiers
/// when a verifier rejects an answer. <c>response.GetRouting()</c> says which deployment answered, after how many
/// attempts, and why.
/// </summary>
/// <remarks>
/// <para>
/// Every provider attempt passes through exactly one metering decorator: a deployment without its own client calls the
/// pipeline's inner client (metering is the next stage of <c>UseLlmOps()</c>), and the factory wraps a deployment's own
/// client with metering. Retries and failover happen only before the first streamed chunk reaches the caller; after it,
/// a fault surfaces unchanged.
/// </para>
/// <para>
/// A request fails with: the provider's own exception for client errors (400, 404, 422, a content filter without a
/// content-policy fallback); <see cref="ModelRoutingException"/> when credentials are refused (401, 403), when the request
/// names an unknown group or tier, or when every deployment and fallback failed (the inner exception is the last
/// failure); <see cref="BudgetExceededException"/> when no tier fits the budget (before any provider call);
/// <see cref="TimeoutRejectedException"/> when <see cref="RoutingResilienceOptions.TotalTimeout"/> elapses; and
/// <see cref="OperationCanceledException"/> when the caller cancels.
/// </para>
/// </remarks>
public sealed class ModelRoutingChatClient : DelegatingChatClient
{
    private const string LostRace = "lost the hedging race";
    private static readonly ResiliencePropertyKey<RoutedAttempt> AttemptKey = new("llmops.routing.attempt");

    private readonly ModelRoutingOptions _options;
    private readonly FrozenDictionary<string, RoutedGroup> _groups;
    private readonly RoutedGroup[] _tierGroups;
    private readonly ModelTier[] _tierOrder;
    private readonly RoutedDeployment[] _deployments;
    private readonly RoutedGroup _defaultGroup;
    private readonly IRoutingPolicy? _policy;
    private readonly IAnswerVerifier[] _verifiers;
    private readonly BudgetManager? _budgets;
    private readonly CostCalculator _calculator;
    private readonly TokenCounter? _counter;
    private readonly int _defaultMaxOutputTokens;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LlmOpsTelemetry _telemetry;
    private readonly Func<double> _random;
    private readonly ResiliencePipeline _total;
    private readonly TimeSpan _totalTimeout;
    private readonly TimeSpan _attemptTimeout;
    private readonly TimeSpan _firstTokenTimeout;
    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _attemptDuration;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _failovers;
    private readonly Counter<long> _circuitChanges;
    private readonly Counter<long> _escalations;
    private readonly Counter<long> _hedges;
    private readonly Counter<long> _tierChosen;
    private readonly Counter<long> _downgrades;

    /// <summary>Initializes a new instance of the <see cref="ModelRoutingChatClient"/> class.</summary>
    /// <param name="innerClient">The client a deployment without its own client calls (with its model id).</param>
    /// <param name="options">The options; validated, then copied (later changes are not seen).</param>
    /// <param name="budgets">The budgets for admission and downgrade, or <see langword="null"/> for none.</param>
    /// <param name="calculator">Prices deployments (lowest cost, budget admission); one over the default catalog when <see langword="null"/>.</param>
    /// <param name="tokenCounter">Counts input tokens for budget admission; characters / 4 when <see langword="null"/>.</param>
    /// <param name="telemetry">Where metrics and spans go; <see cref="LlmOpsTelemetry.Shared"/> when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for backoff, cooldowns, timeouts and RPM/TPM windows; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">Logs every failure the client absorbs; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public ModelRoutingChatClient(
        IChatClient innerClient,
        ModelRoutingOptions options,
        BudgetManager? budgets = null,
        CostCalculator? calculator = null,
        TokenCounter? tokenCounter = null,
        LlmOpsTelemetry? telemetry = null,
        TimeProvider? timeProvider = null,
        ILogger? logger = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        _options = options.Clone();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _telemetry = telemetry ?? LlmOpsTelemetry.Shared;
        _calculator = calculator ?? new CostCalculator();
        _counter = tokenCounter;
        _budgets = budgets is { Budgets.Count: > 0 } ? budgets : null;
        _defaultMaxOutputTokens = _options.Budget.DefaultMaxOutputTokens ?? 4096;
        _policy = _options.Policy;
        _verifiers = _options.Cascade.Enabled ? [.. _options.Cascade.Verifiers] : [];
        _random = _options.Resilience.Randomizer ?? Random.Shared.NextDouble;
        _tierOrder = [.. _options.TierOrder];

        _attempts = _telemetry.GetOrCreateCounter<long>(RoutingTelemetryNames.Attempts, "{attempt}", "Provider attempts made by the routing stage, by group, deployment and outcome.");
        _attemptDuration = _telemetry.GetOrCreateHistogram<double>(RoutingTelemetryNames.AttemptDuration, "s", "Duration of one provider attempt (to the first chunk when streaming).");
        _retries = _telemetry.GetOrCreateCounter<long>(RoutingTelemetryNames.Retries, "{retry}", "Retries on the same deployment, by failure kind.");
        _failovers = _telemetry.GetOrCreateCounter<long>(RoutingTelemetryNames.Failovers, "{failover}", "Moves to another deployment or group, by failure kind.");
        _circuitChanges = _telemetry.GetOrCreateCounter<long>(RoutingTelemetryNames.CircuitStateChanges, "{change}", "Circuit breaker state changes per deployment.");
        _escalations = _telemetry.GetOrCreateCounter<long>(RoutingTelemetryNames.Escalations, "{escalation}", "Cascade escalations, by the verifier that rejected.");
        _hedges = _telemetry.GetOrCreateCounter<long>(RoutingTelemetryNames.Hedges, "{hedge}", "Second attempts started by hedging groups.");
        _tierChosen = _telemetry.GetOrCreateCounter<long>(RoutingTelemetryNames.TierChosen, "{request}", "The tier chosen for each routed request.");
        _downgrades = _telemetry.GetOrCreateCounter<long>(RoutingTelemetryNames.BudgetDowngrades, "{request}", "Requests moved to a cheaper tier by the budget.");

        var deployments = new Dictionary<string, RoutedDeployment>(StringComparer.OrdinalIgnoreCase);
        foreach (var d in _options.Deployments)
        {
            var model = _calculator.Catalog.Resolve(d.ModelId);
            deployments.Add(d.Name, new RoutedDeployment(d, d.Client ?? innerClient, model, _time));
        }

        _deployments = [.. deployments.Values];
        var groups = new Dictionary<string, RoutedGroup>(StringComparer.OrdinalIgnoreCase);
        foreach (var g in _options.Groups)
        {
            var members = g.Deployments.Select(n => deployments[n]).ToArray();
            var group = new RoutedGroup(g.Name, g.Tier, members, g.LoadBalancing, g.HedgeAfter);
            foreach (var m in members)
            {
                m.Groups.Add(group);
            }

            groups.Add(g.Name, group);
        }

        foreach (var g in _options.Groups)
        {
            groups[g.Name].Chain = Chain(groups, g.Name, static o => o.Fallbacks);
            groups[g.Name].ContentPolicyChain = [.. g.ContentPolicyFallbacks.SelectMany(f => Chain(groups, f, static o => o.Fallbacks)).Distinct()];
        }

        // Pipelines once every deployment knows its groups (the last-healthy rule reads them). A deployment keeps its
        // in-flight count and latency average only when a group of several picks by them (a group of one never scores).
        foreach (var d in _deployments)
        {
            d.Pipeline = BuildPipeline(d);
            d.TracksInFlight = d.Groups.Exists(static g => g.Deployments.Length > 1 && g.Strategy == LoadBalancingStrategy.LeastInFlight);
            d.TracksLatency = d.Groups.Exists(static g => g.Deployments.Length > 1 && g.Strategy == LoadBalancingStrategy.LatencyEwma);
        }

        // A deployment named by the caller is a group of one, with no fallbacks.
        foreach (var d in deployments.Values)
        {
            var single = new RoutedGroup(d.Name, d.Tier, [d], LoadBalancingStrategy.WeightedShuffle, null);
            single.Chain = [single];
            groups.Add(d.Name, single);
        }

        _groups = groups.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _tierGroups = new RoutedGroup[_tierOrder.Length];
        for (var i = 0; i < _tierOrder.Length; i++)
        {
            _tierGroups[i] = _options.Groups.Where(g => g.Tier == _tierOrder[i]).Select(g => groups[g.Name]).FirstOrDefault()!;
        }

        _defaultGroup = groups[_options.DefaultGroup ?? _options.Groups[0].Name];
        _totalTimeout = _options.Resilience.TotalTimeout ?? TimeSpan.Zero;
        _attemptTimeout = _options.Resilience.AttemptTimeout ?? TimeSpan.Zero;
        _firstTokenTimeout = _options.Resilience.TimeToFirstTokenTimeout ?? TimeSpan.Zero;
        _total = _options.Resilience.TotalTimeout is { } total
            ? DeferredTimeoutStrategy.Add(new ResiliencePipelineBuilder { TimeProvider = _time }, _ => total, _time).Build()
            : ResiliencePipeline.Empty;

        List<RoutedGroup> Chain(Dictionary<string, RoutedGroup> all, string start, Func<ModelGroup, IList<string>> next)
        {
            // Breadth-first over fallbacks of fallbacks; validation rejected cycles, the set guards repeats.
            var byName = _options.Groups.ToDictionary(static g => g.Name, StringComparer.OrdinalIgnoreCase);
            var order = new List<RoutedGroup>();
            var queue = new Queue<string>([start]);
            while (queue.Count > 0)
            {
                var name = queue.Dequeue();
                var group = all[name];
                if (order.Contains(group))
                {
                    continue;
                }

                order.Add(group);
                foreach (var f in next(byName[name]))
                {
                    queue.Enqueue(f);
                }
            }

            return order;
        }
    }

    /// <summary>Gets the groups, tiers and deployments this client routes over, as validated and copied.</summary>
    public ModelRoutingOptions Options => _options;

    /// <summary>Gets the circuit state of a deployment (for health checks and tests).</summary>
    /// <param name="deployment">The deployment name.</param>
    /// <returns>The state.</returns>
    /// <exception cref="ArgumentException">No deployment has that name.</exception>
    public CircuitState GetCircuitState(string deployment)
    {
        ArgumentException.ThrowIfNullOrEmpty(deployment);
        foreach (var d in _deployments)
        {
            if (string.Equals(d.Name, deployment, StringComparison.OrdinalIgnoreCase))
            {
                return d.State;
            }
        }

        throw new ArgumentException($"No deployment is named '{deployment}'; the deployments are: {string.Join(", ", _deployments.Select(static d => d.Name))}.", nameof(deployment));
    }

    /// <inheritdoc/>
    public override Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var join = LlmOpsRequest.Join(options);
        RoutedRequest r;
        try
        {
            r = Begin(messages, join, streaming: false);
        }
        catch (Exception ex)
        {
            return Task.FromException<ChatResponse>(ex);
        }

        if (cancellationToken.IsCancellationRequested && _options.Resilience.TotalTimeout is not null)
        {
            // Cancelled on entry: through Polly's total-timeout pipeline, which reports it as it always has.
            return RunThroughPollyAsync(r, join, cancellationToken);
        }

        // The total timeout without a Polly pipeline or context (DeferredTimeoutStrategy.RunAsync applies the same rules):
        // a request whose provider call completes at once costs no timer, no context and no property writes.
        ValueTask<Outcome<ChatResponse>> outcome;
        try
        {
            // The total timeout starts with the first provider attempt (a few hundred nanoseconds after this line): its
            // timestamp is the attempt's own, so a request that yields reads the clock once less.
            outcome = DeferredTimeoutStrategy.RunAsync(
                static (token, r) => r.Owner.RunOutcomeAsync(r, token), r, cancellationToken, _totalTimeout, _time, static r => r.FirstAttemptStart);
        }
        catch (Exception ex)
        {
            r.Return();
            return Task.FromException<ChatResponse>(ex);
        }

        if (!outcome.IsCompletedSuccessfully || outcome.Result.Exception is not null)
        {
            return AwaitOutcomeAsync(outcome, r, join);
        }

        // Completed at once: no state machine, and the answering call's own task when it is the same answer.
        var response = outcome.Result.Result!;
        var call = r.CompletedCall;
        r.Return();
        join.AttachTo(response);
        return call is not null && ReferenceEquals(call.Result, response) ? call : Task.FromResult(response);

        static async Task<ChatResponse> AwaitOutcomeAsync(ValueTask<Outcome<ChatResponse>> pending, RoutedRequest r, LlmOpsRequest join)
        {
            try
            {
                var outcome = await pending.ConfigureAwait(false);
                outcome.ThrowIfException();
                var response = outcome.Result!;
                join.AttachTo(response);
                return response;
            }
            finally
            {
                r.Return();
            }
        }
    }

    private async Task<ChatResponse> RunThroughPollyAsync(RoutedRequest r, LlmOpsRequest join, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            var response = await _total.ExecuteAsync(static (ctx, r) => r.Owner.RunAsync(r, DeferredTimeoutStrategy.TokenOf(ctx)), context, r).ConfigureAwait(false);
            join.AttachTo(response);
            return response;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
            r.Return();
        }
    }


    /// <inheritdoc/>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return StreamAsync(messages, options, cancellationToken);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var d in _deployments)
            {
                d.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var join = LlmOpsRequest.Join(options);
        var r = Begin(messages, join, streaming: true);
        r.CallerToken = cancellationToken;
        var routing = r.Routing;
        RoutedStream opened;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            opened = await _total.ExecuteAsync(
                static (ctx, r) => r.Owner.OpenAsync(r, DeferredTimeoutStrategy.TokenOf(ctx)), context, r).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
            r.Return();
        }

        try
        {
            while (await opened.MoveNextAsync().ConfigureAwait(false))
            {
                yield return opened.Current;
            }
        }
        finally
        {
            await opened.DisposeAsync().ConfigureAwait(false);
        }

        if (join.CreateFinalUpdate(routing.ModelId) is { } last)
        {
            yield return last;
        }
    }

    private RoutedRequest Begin(IEnumerable<ChatMessage> messages, LlmOpsRequest join, bool streaming)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var options = join.Options;
        var (group, byTier, reason, decision) = Decide(list, options);
        var tokens = EstimateTokens(list, options);
        var mayHedge = true;
        if (_budgets is not null && _budgets.AppliesTo(options.GetScope()))
        {
            group = Admit(list, options, group, byTier, ref reason, out mayHedge);
        }

        var routing = new RoutingInfo(group.Name, group.EffectiveTier, reason);
        join.Info.Set(routing);
        if (_tierChosen.Enabled)
        {
            _tierChosen.Add(
                1,
                new(RoutingTelemetryNames.TierAttribute, group.EffectiveTier.Name),
                new(RoutingTelemetryNames.GroupAttribute, group.Name),
                new(RoutingTelemetryNames.DecisionAttribute, decision));
        }

        var r = RoutedRequest.Rent(this, list, options, join.Info, routing, streaming, tokens);
        r.Group = group;
        r.Cascade = byTier && _verifiers.Length > 0;
        r.MayHedge = mayHedge;
        return r;
    }

    private (RoutedGroup Group, bool ByTier, string Reason, string Decision) Decide(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        var modelId = options?.ModelId;
        if (!string.IsNullOrEmpty(modelId) && !string.Equals(modelId, ModelRoutingOptions.AutoModelId, StringComparison.OrdinalIgnoreCase))
        {
            return _groups.TryGetValue(modelId, out var named)
                ? (named, false, "explicit", "explicit")
                : throw new ModelRoutingException(
                    $"The request names model '{modelId}', which is neither a model group nor a deployment of the routing stage. "
                    + $"Use one of: {string.Join(", ", _options.Groups.Select(static g => g.Name))}; a deployment name; or '{ModelRoutingOptions.AutoModelId}'.");
        }

        if (options.GetModelTier() is { } tier)
        {
            return (GroupForTier(tier) ?? throw new ModelRoutingException(
                $"The request asks for tier '{tier}', but no model group serves it. Set ModelGroup.Tier on a group, or ask for one of: "
                + $"{string.Join(", ", _options.Groups.Where(static g => g.Tier is not null).Select(static g => g.Tier!.Value.Name).Distinct())}."),
                true, "tier", "tier");
        }

        if (_policy is not null)
        {
            RoutingDecision? choice = null;
            try
            {
                choice = _policy.Choose(messages, options);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                RoutingLog.PolicyFailed(_logger, _policy.GetType().Name, ex);
            }

            if (choice is not null)
            {
                if (choice.Group is { } name && _groups.TryGetValue(name, out var chosen))
                {
                    return (chosen, true, choice.Reason, "policy");
                }

                if (choice.Tier is { } t && GroupForTier(t) is { } byTier)
                {
                    return (byTier, true, choice.Reason, "policy");
                }
            }
        }

        return (_defaultGroup, false, "default", "default");
    }

    private RoutedGroup? GroupForTier(ModelTier tier)
    {
        var index = Array.IndexOf(_tierOrder, tier);
        if (index >= 0 && _tierGroups[index] is { } group)
        {
            return group;
        }

        foreach (var g in _options.Groups)
        {
            if (g.Tier == tier)
            {
                return _groups[g.Name];
            }
        }

        return null;
    }

    /// <summary>Moves a near-limit request down the tiers and rejects, before any call, one that no tier can admit.</summary>
    /// <remarks><paramref name="hedgeFits"/> says whether the remaining budget also covers a hedged second attempt.</remarks>
    private RoutedGroup Admit(IReadOnlyList<ChatMessage> messages, ChatOptions? options, RoutedGroup group, bool byTier, ref string reason, out bool hedgeFits)
    {
        hedgeFits = true;
        var statuses = _budgets!.GetStatus(options.GetScope());
        if (statuses.Count == 0)
        {
            return group;
        }

        BudgetStatus tightest = statuses[0];
        double used = 0;
        foreach (var s in statuses)
        {
            if (s.Remaining < tightest.Remaining)
            {
                tightest = s;
            }

            used = Math.Max(used, s.Budget.Limit <= 0 ? 1 : (double)((s.Spent + s.Reserved) / s.Budget.Limit));
        }

        var input = _counter?.CountTokens(messages) ?? EstimateInputTokens(messages);
        var index = group.Tier is { } tier ? Array.IndexOf(_tierOrder, tier) : -1;
        if (!byTier || index < 0)
        {
            var cost = WorstCase(group, input, options);
            hedgeFits = cost * 2 <= tightest.Remaining;
            return cost <= tightest.Remaining
                ? group
                : throw new BudgetExceededException(tightest.Budget, tightest.Scope, tightest.Spent, tightest.Reserved, cost, tightest.ResetsAt);
        }

        var from = group;
        var budget = _options.Budget;
        if (budget.DowngradeAt is { } at && used >= at && budget.DowngradeSteps > 0)
        {
            index = Math.Max(0, index - budget.DowngradeSteps);
            while (index > 0 && _tierGroups[index] is null)
            {
                index--;
            }
        }

        decimal cheapest = decimal.MaxValue;
        for (var i = index; i >= 0; i--)
        {
            if (_tierGroups[i] is not { } candidate)
            {
                continue;
            }

            var cost = WorstCase(candidate, input, options);
            cheapest = Math.Min(cheapest, cost);
            if (cost <= tightest.Remaining)
            {
                hedgeFits = cost * 2 <= tightest.Remaining;
                if (!ReferenceEquals(candidate, from))
                {
                    var why = used >= (budget.DowngradeAt ?? double.MaxValue)
                        ? string.Create(CultureInfo.InvariantCulture, $"budget {used * 100:0}% used")
                        : string.Create(CultureInfo.InvariantCulture, $"budget admits at most {tightest.Remaining:0.######} USD");
                    reason = $"{reason}; {why}: {from.EffectiveTier} -> {candidate.EffectiveTier}";
                    RoutingLog.BudgetDowngrade(_logger, from.EffectiveTier.Name, candidate.EffectiveTier.Name, candidate.Name, why);
                    _downgrades.Add(1, new(RoutingTelemetryNames.FromTierAttribute, from.EffectiveTier.Name), new(RoutingTelemetryNames.TierAttribute, candidate.EffectiveTier.Name));
                }

                return candidate;
            }

            if (!budget.DowngradeWhenNotAdmitted)
            {
                break;
            }
        }

        throw new BudgetExceededException(tightest.Budget, tightest.Scope, tightest.Spent, tightest.Reserved, cheapest == decimal.MaxValue ? 0m : cheapest, tightest.ResetsAt);
    }

    private decimal WorstCase(RoutedGroup group, int inputTokens, ChatOptions? options)
    {
        var min = decimal.MaxValue;
        var now = _time.GetUtcNow();
        foreach (var d in group.Deployments)
        {
            var model = _calculator.Catalog.Resolve(d.ModelId, now);
            var output = options?.MaxOutputTokens ?? model.Definition?.MaxOutputTokens ?? _defaultMaxOutputTokens;
            min = Math.Min(min, _calculator.WorstCase(d.ModelId, inputTokens, output, now));
        }

        return min;
    }

    private int EstimateTokens(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        // Only deployments with a TPM limit need the estimate; skip the text walk otherwise.
        var limited = false;
        foreach (var d in _deployments)
        {
            limited |= d.HasTokenLimit;
        }

        return limited ? EstimateInputTokens(messages) + (options?.MaxOutputTokens ?? _options.EstimatedOutputTokens) : 0;
    }

    private static int EstimateInputTokens(IReadOnlyList<ChatMessage> messages)
    {
        long chars = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            chars += messages[i].Text?.Length ?? 0;
        }

        return (int)Math.Min(int.MaxValue, (chars + 3) / 4);
    }

    /// <summary><see cref="RunOutcomeAsync"/>, its failure thrown (Polly's total-timeout pipeline takes this shape).</summary>
    private async ValueTask<ChatResponse> RunAsync(RoutedRequest r, CancellationToken cancellationToken)
    {
        var outcome = await RunOutcomeAsync(r, cancellationToken).ConfigureAwait(false);
        outcome.ThrowIfException();
        return outcome.Result!;
    }

    /// <summary>
    /// Runs a non-streaming request: the cascade's steps, each over a group and its fallbacks. A failure comes back as the
    /// outcome (the shape <see cref="DeferredTimeoutStrategy.RunAsync"/> takes), not thrown.
    /// </summary>
    /// <remarks>
    /// Not an <see langword="async"/> method for a request without a cascade: a chain that answers at once becomes the
    /// outcome with no state machine (<see cref="RunCascadeAsync"/> runs a cascade, and a local function waits for
    /// a chain that has not answered yet). No <see langword="try"/> either, so that it inlines into its caller:
    /// <see cref="ExecuteChainAsync"/> reports every failure through the task it returns, and
    /// <see cref="DeferredTimeoutStrategy.RunAsync"/>, which calls this, turns anything thrown into the outcome anyway.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ValueTask<Outcome<ChatResponse>> RunOutcomeAsync(RoutedRequest r, CancellationToken cancellationToken)
    {
        if (r.Cascade)
        {
            return RunCascadeAsync(r, cancellationToken);
        }

        r.RequestToken = cancellationToken;
        var pending = ExecuteChainAsync(r, r.Group, static (ctx, a) => CallAsync(ctx, a));
        if (pending.IsCompletedSuccessfully)
        {
            return new(Outcome.FromResult(pending.Result));
        }

        return AwaitChainAsync(pending);

        static async ValueTask<Outcome<ChatResponse>> AwaitChainAsync(ValueTask<ChatResponse> pending)
        {
            try
            {
                return Outcome.FromResult(await pending.ConfigureAwait(false));
            }
            catch (Exception ex)
            {
                return Outcome.FromException<ChatResponse>(ex);
            }
        }
    }

    /// <summary><see cref="RunOutcomeAsync"/> for a request that may escalate through the cascade's tiers.</summary>
    private async ValueTask<Outcome<ChatResponse>> RunCascadeAsync(RoutedRequest r, CancellationToken cancellationToken)
    {
        try
        {
            r.RequestToken = cancellationToken;
            var group = r.Group;
            var escalations = 0;
            while (true)
            {
                var response = await ExecuteChainAsync(r, group, static (ctx, a) => CallAsync(ctx, a)).ConfigureAwait(false);
                if (!r.Cascade || escalations >= _options.Cascade.MaxEscalations || NextTier(group) is not { } next)
                {
                    return Outcome.FromResult(response);
                }

                var rejection = await VerifyAsync(r, response, cancellationToken).ConfigureAwait(false);
                if (rejection is null)
                {
                    return Outcome.FromResult(response);
                }

                Escalate(r, rejection.Value);
                escalations++;
                group = next;
            }
        }
        catch (Exception ex)
        {
            return Outcome.FromException<ChatResponse>(ex);
        }
    }

    /// <summary>Opens a stream: buffered cascade steps first (verified whole), then the last step streams live.</summary>
    private async ValueTask<RoutedStream> OpenAsync(RoutedRequest r, CancellationToken cancellationToken)
    {
        r.RequestToken = cancellationToken;
        var group = r.Group;
        var escalations = 0;
        while (r.Cascade && escalations < _options.Cascade.MaxEscalations && NextTier(group) is { } next)
        {
            // Escalation after text reached the caller is impossible: a tier that may be escalated is read whole first.
            var buffered = await ExecuteChainAsync(r, group, static (ctx, a) => CallAsync(ctx, a)).ConfigureAwait(false);
            var rejection = await VerifyAsync(r, buffered, cancellationToken).ConfigureAwait(false);
            if (rejection is null)
            {
                return RoutedStream.Replay(buffered);
            }

            Escalate(r, rejection.Value);
            escalations++;
            group = next;
        }

        return await ExecuteChainAsync(r, group, static (ctx, a) => OpenStreamAsync(ctx, a)).ConfigureAwait(false);
    }

    private RoutedGroup? NextTier(RoutedGroup group)
    {
        var index = group.Tier is { } tier ? Array.IndexOf(_tierOrder, tier) : -1;
        if (index < 0)
        {
            return null;
        }

        for (var i = index + 1; i < _tierGroups.Length; i++)
        {
            if (_tierGroups[i] is { } next)
            {
                return next;
            }
        }

        return null;
    }

    private async ValueTask<(string Verifier, string Reason)?> VerifyAsync(RoutedRequest r, ChatResponse response, CancellationToken cancellationToken)
    {
        foreach (var verifier in _verifiers)
        {
            string? reason;
            try
            {
                reason = await verifier.VerifyAsync(r.Messages, r.Options, response, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                RoutingLog.VerifierFailed(_logger, verifier.Name, ex);
                continue;
            }

            if (reason is not null)
            {
                return (verifier.Name, reason);
            }
        }

        return null;
    }

    private void Escalate(RoutedRequest r, (string Verifier, string Reason) rejection)
    {
        var d = r.Deployment!;
        var reason = $"{rejection.Verifier}: {rejection.Reason}";
        r.Routing.Reclassify(r.AnsweredAttempt, RoutingAttemptResult.Escalated, reason);
        RoutingLog.Escalated(_logger, rejection.Verifier, d.Name, d.Tier.Name, rejection.Reason);
        if (_escalations.Enabled)
        {
            _escalations.Add(
                1,
                new(RoutingTelemetryNames.GroupAttribute, r.Group.Name),
                new(RoutingTelemetryNames.TierAttribute, d.Tier.Name),
                new(RoutingTelemetryNames.VerifierAttribute, rejection.Verifier));
        }
    }

    /// <summary>
    /// Tries the group, then its fallbacks, one deployment at a time, each through its Polly pipeline (retries, circuit
    /// breaker, attempt timeout), until one answers, a failure must surface, or <see cref="ModelRoutingOptions.MaxAttempts"/>
    /// is reached. In a group with <see cref="ModelGroup.HedgeAfter"/>, a second deployment races the first (<see cref="RaceAsync"/>).
    /// </summary>
    /// <remarks>
    /// Not an <see langword="async"/> method: the first attempt is started here, and when it answers at once (the common
    /// case) the chain ends with no state machine; anything else continues in <see cref="ContinueChainAsync"/>, exactly
    /// where this left off.
    /// </remarks>
    private ValueTask<T> ExecuteChainAsync<T>(RoutedRequest r, RoutedGroup start, Func<ResilienceContext?, RoutedAttempt, ValueTask<Outcome<T>>> callback)
        where T : class
    {
        IReadOnlyList<RoutedGroup> chain = start.Chain;
        RoutedGroup group;
        ValueTask<Step<T>> pending;
        try
        {
            r.ResetTried();
            if (chain.Count == 0 || r.Attempts >= _options.MaxAttempts || (chain[0].HedgeAfter is not null && r.MayHedge))
            {
                return ContinueChainAsync(r, start, callback, chain, 0, null, default);
            }

            group = chain[0];
            var d = group.Select(r.FirstTried, r.Tried, r.Tokens, r.MinContextWindow, _random);
            if (d is null)
            {
                return ContinueChainAsync(r, start, callback, chain, 1, null, default);
            }

            r.MarkTried(d);
            r.Group = group;
            var attempt = r.Attempt(group, d, OptionsFor(r.Options, d), hedged: false);

            // RunPipelineAsync, its body inlined here (this method's try stands for its own).
            var outcome = StartPipeline(attempt, callback);
            if (outcome.IsCompletedSuccessfully)
            {
                var step = ToStep(attempt, outcome.Result);
                if (step.Error is null)
                {
                    return new(Answered(r, group, step));
                }

                pending = new(step);
            }
            else
            {
                pending = AwaitStepAsync(attempt, outcome);
            }
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<T>(ex);
        }

        return ContinueChainAsync(r, start, callback, chain, 0, group, pending);
    }

    /// <summary>Records the answering attempt of a chain and returns its value.</summary>
    private static T Answered<T>(RoutedRequest r, RoutedGroup group, Step<T> step)
        where T : class
    {
        var d = step.Attempt.Deployment;
        r.Deployment = d;
        r.AnsweredAttempt = step.Attempt.Number;
        r.Routing.Answered(group.Name, d.Name, d.ModelId);
        return step.Value!;
    }

    /// <summary>
    /// The chain from <paramref name="index"/> on; when <paramref name="pendingGroup"/> is set, its attempt has started
    /// (<paramref name="pending"/>) and its step is handled first.
    /// </summary>
    private async ValueTask<T> ContinueChainAsync<T>(
        RoutedRequest r,
        RoutedGroup start,
        Func<ResilienceContext?, RoutedAttempt, ValueTask<Outcome<T>>> callback,
        IReadOnlyList<RoutedGroup> chain,
        int index,
        RoutedGroup? pendingGroup,
        ValueTask<Step<T>> pending)
        where T : class
    {
        while (pendingGroup is not null || (index < chain.Count && r.Attempts < _options.MaxAttempts))
        {
            RoutedGroup group;
            Step<T> step;
            if (pendingGroup is not null)
            {
                group = pendingGroup;
                pendingGroup = null;
                step = await pending.ConfigureAwait(false);
            }
            else
            {
                group = chain[index];
                var selected = group.Select(r.FirstTried, r.Tried, r.Tokens, r.MinContextWindow, _random);
                if (selected is null)
                {
                    index++;
                    continue;
                }

                r.MarkTried(selected);
                r.Group = group;
                var attempt = r.Attempt(group, selected, OptionsFor(r.Options, selected), hedged: false);
                step = group.HedgeAfter is { } delay && r.MayHedge
                    ? await RaceAsync(attempt, delay, callback).ConfigureAwait(false)
                    : await RunPipelineAsync(attempt, callback).ConfigureAwait(false);
            }

            if (step.Error is null)
            {
                return Answered(r, group, step);
            }

            var d = step.Attempt.Deployment;
            r.Deployment = d;

            var ex = step.Error.SourceException;
            if (ex is OperationCanceledException && r.RequestToken.IsCancellationRequested)
            {
                step.Error.Throw();
            }

            var failure = Classify(ex);
            r.LastException = ex;
            r.LastFailure = failure;
            if (!failure.CanFailOver)
            {
                Surface(r, d, step.Error, failure);
            }

            if (failure.Kind == RoutingFailureKind.ContentFiltered)
            {
                if (ReferenceEquals(chain, group.ContentPolicyChain) || group.ContentPolicyChain.Count == 0)
                {
                    Surface(r, d, step.Error, failure);
                }

                chain = group.ContentPolicyChain;
                index = 0;
            }

            NoteFailover(r, group, d, ex, failure);
        }

        r.Routing.MarkLastFailed();
        var tried = r.Routing.AttemptCount;
        var why = r.Attempts >= _options.MaxAttempts
            ? $"it reached ModelRoutingOptions.MaxAttempts ({_options.MaxAttempts})"
            : "no deployment of the group or its fallbacks is left (all tried, cooling down, or at their RPM/TPM limit)";
        throw new ModelRoutingException(
            $"The request to group '{start.Name}' failed after {tried} attempt(s): {why}. Last failure: "
            + (r.LastException is null ? "none." : $"{r.LastFailure.Kind} on deployment '{r.Deployment?.Name}': {r.LastException.Message}"),
            r.LastException,
            r.Routing.Attempts);
    }

    /// <summary>Logs and counts a move away from a deployment whose failure may fail over.</summary>
    private void NoteFailover(RoutedRequest r, RoutedGroup group, RoutedDeployment d, Exception ex, RoutingFailure failure)
    {
        if (failure.Kind == RoutingFailureKind.ContextWindowExceeded && d.ContextWindow is { } window)
        {
            r.MinContextWindow = Math.Max(r.MinContextWindow, window);
        }

        RoutingLog.FailedOver(_logger, r.Routing.AttemptCount, d.Name, group.Name, failure.Kind, ex);
        if (_failovers.Enabled)
        {
            _failovers.Add(
                1,
                new(RoutingTelemetryNames.GroupAttribute, group.Name),
                new(RoutingTelemetryNames.DeploymentAttribute, d.Name),
                new(RoutingTelemetryNames.FailureAttribute, Snake(failure.Kind)));
        }
    }

    /// <summary>
    /// Runs one deployment's pipeline and captures its outcome without rethrowing. A deployment whose pipeline would do
    /// nothing (no retry, no timeout, a circuit that can never open) runs the attempt alone, without Polly.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A deployment without a circuit breaker (its pipeline holds only a retry and an attempt timeout) runs its first
    /// attempt without Polly too: the attempt timeout applies as <see cref="DeferredTimeoutStrategy"/> applies it, and an
    /// answer (the common case) costs no resilience context, no property writes and no retry bookkeeping. A failure the
    /// attempt marked for retry (<see cref="RoutedAttempt.RetryException"/>) is then handed to the deployment's pipeline as
    /// the outcome of its first run (the callback replays it instead of calling the provider), so the retries, their delays
    /// and their events are Polly's, exactly as when the first attempt ran inside it (<see cref="AfterFirstAttempt"/>).
    /// </para>
    /// <para>
    /// Not an <see langword="async"/> method, and that first attempt is started here rather than in a method of its own (one
    /// frame less on every routed request): an outcome that is there when the run returns becomes the step at once (no
    /// state machine); otherwise <see cref="AwaitFirstAttemptAsync"/> and <see cref="AwaitStepAsync"/> wait for it.
    /// </para>
    /// </remarks>
    private static ValueTask<Step<T>> RunPipelineAsync<T>(RoutedAttempt a, Func<ResilienceContext?, RoutedAttempt, ValueTask<Outcome<T>>> callback)
        where T : class
    {
        ValueTask<Outcome<T>> pending;
        try
        {
            pending = StartPipeline(a, callback);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<Step<T>>(ex);
        }

        return pending.IsCompletedSuccessfully ? new(ToStep(a, pending.Result)) : AwaitStepAsync(a, pending);
    }

    /// <summary>
    /// The body of <see cref="RunPipelineAsync"/> without its <see langword="try"/>, so that it inlines: the caller catches
    /// what it throws (<see cref="ExecuteChainAsync"/> starts the first step of a chain with it, one frame less).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ValueTask<Outcome<T>> StartPipeline<T>(RoutedAttempt a, Func<ResilienceContext?, RoutedAttempt, ValueTask<Outcome<T>>> callback)
        where T : class
    {
        var d = a.Deployment;
        if (d.Pipeline is not { } pipeline)
        {
            return callback(null, a);
        }

        if (d.HasCircuit || a.Token.IsCancellationRequested)
        {
            return RunPollyAsync(pipeline, a, callback, replay: null);
        }

        var owner = a.Request.Owner;
        var first = DeferredTimeoutStrategy.RunAsync(
            static (token, s) =>
            {
                s.Attempt.CallToken = token;
                return s.Callback(null, s.Attempt);
            },
            (Attempt: a, Callback: callback),
            a.Token,
            a.Request.Streaming ? owner._firstTokenTimeout : owner._attemptTimeout,
            owner._time,
            static s => s.Attempt.StartTimestamp);
        return first.IsCompletedSuccessfully ? AfterFirstAttempt(pipeline, a, callback, first.Result) : AwaitFirstAttemptAsync(pipeline, a, callback, first);
    }

    private static async ValueTask<Step<T>> AwaitStepAsync<T>(RoutedAttempt a, ValueTask<Outcome<T>> pending)
        where T : class
        => ToStep(a, await pending.ConfigureAwait(false));

    private static Step<T> ToStep<T>(RoutedAttempt a, Outcome<T> outcome)
        where T : class
        => new(a, outcome.Result, outcome.Exception is { } e ? ExceptionDispatchInfo.Capture(e) : null);

    private static async ValueTask<Outcome<T>> AwaitFirstAttemptAsync<T>(
        ResiliencePipeline pipeline, RoutedAttempt a, Func<ResilienceContext?, RoutedAttempt, ValueTask<Outcome<T>>> callback, ValueTask<Outcome<T>> pending)
        where T : class
        => await AfterFirstAttempt(pipeline, a, callback, await pending.ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary>The first attempt's outcome, or the deployment's pipeline run with it replayed as its first outcome.</summary>
    private static ValueTask<Outcome<T>> AfterFirstAttempt<T>(
        ResiliencePipeline pipeline, RoutedAttempt a, Func<ResilienceContext?, RoutedAttempt, ValueTask<Outcome<T>>> callback, Outcome<T> outcome)
        where T : class
    {
        a.CallToken = a.Token;
        if (outcome.Exception is null || a.RetryException is null || a.Token.IsCancellationRequested)
        {
            // An answer, a failure the retry strategy would not handle (its predicate reads RetryException), or a request
            // cancelled meanwhile (the strategy returns the attempt's outcome then, without retrying).
            return new(outcome);
        }

        return RunPollyAsync(pipeline, a, callback, outcome);
    }

    private static async ValueTask<Outcome<T>> RunPollyAsync<T>(
        ResiliencePipeline pipeline, RoutedAttempt a, Func<ResilienceContext?, RoutedAttempt, ValueTask<Outcome<T>>> callback, Outcome<T>? replay)
        where T : class
    {
        var context = ResilienceContextPool.Shared.Get(a.Token);
        context.Properties.Set(AttemptKey, a);
        try
        {
            if (replay is null)
            {
                return await pipeline.ExecuteOutcomeAsync(callback, context, a).ConfigureAwait(false);
            }

            var state = new ReplayState<T>(a, callback, replay.Value);
            return await pipeline.ExecuteOutcomeAsync(
                static (ctx, s) => s.TakeReplay(out var first) ? new ValueTask<Outcome<T>>(first) : s.Callback(ctx, s.Attempt),
                context,
                state).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// Hedging: runs <paramref name="primary"/>; if it has not answered (or, streaming, produced its first chunk) after
    /// <paramref name="delay"/>, starts a second run on another deployment of the group that is healthy and has RPM/TPM
    /// room. The first answer wins; the other run is cancelled (or its answer discarded) and awaited, so that its attempt
    /// is recorded as <see cref="RoutingAttemptResult.Cancelled"/> and metered before the winner is returned. When the
    /// first to finish fails in a way that may fail over, the other run is awaited instead.
    /// </summary>
    private async ValueTask<Step<T>> RaceAsync<T>(RoutedAttempt primary, TimeSpan delay, Func<ResilienceContext?, RoutedAttempt, ValueTask<Outcome<T>>> callback)
        where T : class
    {
        var r = primary.Request;
        var group = primary.Group;
        primary.MakeAbandonable();
        RoutedAttempt? hedge = null;
        try
        {
            var first = RunPipelineAsync(primary, callback).AsTask();
            using (var timer = CancellationTokenSource.CreateLinkedTokenSource(r.RequestToken))
            {
                var elapsed = Task.Delay(delay, _time, timer.Token);
                var done = await Task.WhenAny(first, elapsed).ConfigureAwait(false);
                if (done == first || !elapsed.IsCompletedSuccessfully)
                {
                    await timer.CancelAsync().ConfigureAwait(false);
                    return await first.ConfigureAwait(false);
                }
            }

            var d = r.Attempts < _options.MaxAttempts ? group.Select(r.FirstTried, r.Tried, r.Tokens, r.MinContextWindow, _random) : null;
            if (d is null)
            {
                return await first.ConfigureAwait(false);
            }

            r.MarkTried(d);
            hedge = r.Attempt(group, d, OptionsFor(r.Options, d), hedged: true);
            hedge.MakeAbandonable();
            RoutingLog.HedgeStarted(_logger, primary.Deployment.Name, delay, d.Name, group.Name);
            if (_hedges.Enabled)
            {
                _hedges.Add(1, new(RoutingTelemetryNames.GroupAttribute, group.Name), new(RoutingTelemetryNames.DeploymentAttribute, d.Name));
            }

            var second = RunPipelineAsync(hedge, callback).AsTask();
            var winner = await Task.WhenAny(first, second).ConfigureAwait(false);
            var (other, loser) = winner == first ? (second, hedge) : (first, primary);
            var step = await winner.ConfigureAwait(false);
            if (step.Error is { } error)
            {
                var ex = error.SourceException;
                var failure = ex is OperationCanceledException && r.RequestToken.IsCancellationRequested
                    ? new RoutingFailure(RoutingFailureKind.Cancelled)
                    : Classify(ex);
                if (failure.CanFailOver && failure.Kind is not (RoutingFailureKind.ContentFiltered or RoutingFailureKind.ContextWindowExceeded))
                {
                    // The other run may still answer: it decides the step.
                    r.LastException = ex;
                    r.LastFailure = failure;
                    NoteFailover(r, group, step.Attempt.Deployment, ex, failure);
                    return await other.ConfigureAwait(false);
                }
            }

            await DiscardAsync(loser, other).ConfigureAwait(false);
            return step;
        }
        finally
        {
            primary.Release();
            hedge?.Release();
        }
    }

    /// <summary>Cancels the losing run of a hedging race, waits for it, and drops its answer if it had one.</summary>
    private async ValueTask DiscardAsync<T>(RoutedAttempt loser, Task<Step<T>> run)
        where T : class
    {
        loser.Abandon();
        var step = await run.ConfigureAwait(false);
        if (step.Error is null)
        {
            // It answered just as the winner did: the answer is dropped (an open stream is closed, which meters it).
            loser.Request.Routing.Reclassify(step.Attempt.Number, RoutingAttemptResult.Cancelled, LostRace);
            if (step.Value is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync().ConfigureAwait(false);
            }
        }

        RoutingLog.HedgeCancelled(_logger, loser.Deployment.Name);
    }

    [DoesNotReturn]
    private static void Surface(RoutedRequest r, RoutedDeployment d, ExceptionDispatchInfo error, RoutingFailure failure)
    {
        r.Routing.MarkLastFailed();
        if (failure.Kind == RoutingFailureKind.Unauthorized)
        {
            throw new ModelRoutingException(
                $"Deployment '{d.Name}' (model '{d.ModelId}', group '{r.Group.Name}') refused the credentials ({failure.StatusCode}). "
                + "Check that deployment's API key, endpoint and role; the request was not retried or sent elsewhere.",
                error.SourceException,
                r.Routing.Attempts);
        }

        error.Throw();
    }

    private static ChatOptions? OptionsFor(ChatOptions? options, RoutedDeployment d)
    {
        if (options is not null && string.Equals(options.ModelId, d.ModelId, StringComparison.Ordinal))
        {
            return options;
        }

        var copy = options?.Clone() ?? new ChatOptions();
        copy.ModelId = d.ModelId;
        return copy;
    }

    /// <summary>One non-streaming provider attempt (the Polly callback; failures come back as outcomes, not throws).</summary>
    /// <remarks>
    /// Not an <see langword="async"/> method: a provider call that has completed when it returns (a cache, an in-process
    /// model) ends the attempt here, with no state machine; otherwise <see cref="AwaitCallAsync"/> waits for it. Either way
    /// the attempt fails or succeeds exactly as the one <see langword="async"/> method did.
    /// </remarks>
    private static ValueTask<Outcome<ChatResponse>> CallAsync(ResilienceContext? context, RoutedAttempt a)
    {
        var owner = a.Request.Owner;
        Attempt attempt;
        try
        {
            if (!owner.TryStartAttempt(a, out attempt))
            {
                return new(Outcome.FromException<ChatResponse>(Unavailable(a.Deployment)));
            }
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<Outcome<ChatResponse>>(ex);
        }

        Task<ChatResponse> call;
        try
        {
            call = a.Deployment.Client.GetResponseAsync(a.Request.Messages, a.DeploymentOptions, context is null ? a.CallToken : DeferredTimeoutStrategy.TokenOf(context));
            if (call.IsCompletedSuccessfully)
            {
                a.Request.CompletedCall = call;
                var response = call.Result;
                owner.EndAttempt(a, attempt, null);
                return new(Outcome.FromResult(response));
            }
        }
        catch (Exception ex)
        {
            owner.EndAttempt(a, attempt, ex);
            return new(Outcome.FromException<ChatResponse>(ex));
        }

        return AwaitCallAsync(call, a, attempt);
    }

    /// <summary>The rest of <see cref="CallAsync"/> for a provider call that had not completed when it returned.</summary>
    private static async ValueTask<Outcome<ChatResponse>> AwaitCallAsync(Task<ChatResponse> call, RoutedAttempt a, Attempt attempt)
    {
        var owner = a.Request.Owner;
        try
        {
            var response = await call.ConfigureAwait(false);
            owner.EndAttempt(a, attempt, null);
            return Outcome.FromResult(response);
        }
        catch (Exception ex)
        {
            owner.EndAttempt(a, attempt, ex);
            return Outcome.FromException<ChatResponse>(ex);
        }
    }

    /// <summary>
    /// One streaming provider attempt (the Polly callback): opens the stream and waits for its first update under the
    /// first-token timeout. The stream itself then runs on its own token, linked to the caller's only.
    /// </summary>
    private static async ValueTask<Outcome<RoutedStream>> OpenStreamAsync(ResilienceContext? context, RoutedAttempt a)
    {
        var r = a.Request;
        var owner = r.Owner;
        var d = a.Deployment;
        if (!owner.TryStartAttempt(a, out var attempt))
        {
            return Outcome.FromException<RoutedStream>(Unavailable(d));
        }

        var token = context is null ? a.CallToken : DeferredTimeoutStrategy.TokenOf(context);
        var source = CancellationTokenSource.CreateLinkedTokenSource(r.CallerToken);
        IAsyncEnumerator<ChatResponseUpdate>? stream = null;
        try
        {
            bool hasFirst;
            using (token.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), source))
            {
                stream = d.Client.GetStreamingResponseAsync(r.Messages, a.DeploymentOptions, source.Token).GetAsyncEnumerator(source.Token);
                hasFirst = await stream.MoveNextAsync().ConfigureAwait(false);
            }

            // The timeout (or a hedging race) may have ended the attempt just as the first update arrived: nothing
            // reached the caller, so it fails over (or loses).
            token.ThrowIfCancellationRequested();
            owner.EndAttempt(a, attempt, null);
            return Outcome.FromResult(new RoutedStream(stream, hasFirst, source, d));
        }
        catch (Exception ex)
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            source.Dispose();
            owner.EndAttempt(a, attempt, ex);
            return Outcome.FromException<RoutedStream>(ex);
        }
    }

    private static DeploymentUnavailableException Unavailable(RoutedDeployment d)
        => new($"Deployment '{d.Name}' has no room left under its RPM/TPM limits this minute.");

    private bool TryStartAttempt(RoutedAttempt a, out Attempt attempt)
    {
        var r = a.Request;
        var d = a.Deployment;
        a.RetryException = null;
        if (!d.TryAcquire(r.Tokens))
        {
            attempt = default;
            return false;
        }

        // The request's attempt count numbers its attempts too (both count the attempts started, in one increment).
        var number = r.AddAttempt();
        a.DeploymentAttempts++;
        a.Number = number;
        var activity = _telemetry.ActivitySource.HasListeners()
            ? _telemetry.ActivitySource.StartActivity(RoutingTelemetryNames.AttemptActivity, ActivityKind.Internal)
            : null;
        if (activity is not null)
        {
            activity.SetTag(RoutingTelemetryNames.GroupAttribute, a.Group.Name);
            activity.SetTag(RoutingTelemetryNames.DeploymentAttribute, d.Name);
            activity.SetTag(RoutingTelemetryNames.TierAttribute, d.Tier.Name);
            activity.SetTag(RoutingTelemetryNames.AttemptNumberAttribute, number);
            activity.SetTag("gen_ai.request.model", d.ModelId);
            if (d.Region is not null)
            {
                activity.SetTag(RoutingTelemetryNames.RegionAttribute, d.Region);
            }

            if (a.Hedged)
            {
                activity.SetTag(RoutingTelemetryNames.HedgedAttribute, true);
            }
        }

        d.Enter();
        var start = _time.GetTimestamp();
        a.StartTimestamp = start;
        if (r.FirstAttemptStart == 0)
        {
            r.FirstAttemptStart = start;
        }

        attempt = new Attempt(number, start, activity);
        return true;
    }

    private void EndAttempt(RoutedAttempt a, Attempt attempt, Exception? exception)
    {
        var r = a.Request;
        var d = a.Deployment;
        d.Exit();
        var elapsed = _time.GetElapsedTime(attempt.Start);
        RoutingAttemptResult result;
        RoutingFailure? failure = null;
        if (exception is null)
        {
            result = RoutingAttemptResult.Succeeded;
            d.RecordLatency(elapsed);
        }
        else
        {
            // A run that lost a hedging race was cancelled on purpose; otherwise an OperationCanceledException while
            // the request itself is alive is the attempt's own timeout.
            var f = a.Lost ? new RoutingFailure(RoutingFailureKind.Cancelled)
                : exception is OperationCanceledException && !r.RequestToken.IsCancellationRequested ? new RoutingFailure(RoutingFailureKind.Timeout)
                : Classify(exception);
            failure = f;
            var retry = f.IsRetryable
                && a.DeploymentAttempts <= _options.Resilience.MaxRetriesPerDeployment
                && r.Attempts < _options.MaxAttempts
                && (f.RetryAfter is null || f.RetryAfter <= _options.Resilience.MaxRetryAfter);
            if (retry)
            {
                a.RetryException = exception;
                a.RetryFailure = f;
            }

            result = retry ? RoutingAttemptResult.Retried
                : f.Kind == RoutingFailureKind.Cancelled ? RoutingAttemptResult.Cancelled
                : f.CanFailOver ? RoutingAttemptResult.FailedOver
                : RoutingAttemptResult.Failed;
        }

        var reason = a.Lost ? LostRace : exception?.Message;
        r.Routing.Add(new RoutingAttempt(attempt.Number, a.Group.Name, d.Name, d.ModelId, d.Tier, result, failure?.Kind, reason, elapsed, a.Hedged));
        if (_attempts.Enabled)
        {
            _attempts.Add(
                1,
                new(RoutingTelemetryNames.GroupAttribute, a.Group.Name),
                new(RoutingTelemetryNames.DeploymentAttribute, d.Name),
                new(RoutingTelemetryNames.OutcomeAttribute, Snake(result)));
        }

        if (_attemptDuration.Enabled)
        {
            _attemptDuration.Record(
                elapsed.TotalSeconds,
                new(RoutingTelemetryNames.GroupAttribute, a.Group.Name),
                new(RoutingTelemetryNames.DeploymentAttribute, d.Name));
        }

        if (attempt.Activity is { } activity)
        {
            activity.SetTag(RoutingTelemetryNames.OutcomeAttribute, Snake(result));
            if (failure is { } fk)
            {
                activity.SetTag(RoutingTelemetryNames.FailureAttribute, Snake(fk.Kind));
                activity.SetStatus(ActivityStatusCode.Error, reason);
            }

            activity.Dispose();
        }
    }

    private RoutingFailure Classify(Exception exception)
    {
        if (_options.ClassifyFailure?.Invoke(exception) is { } custom)
        {
            return custom;
        }

        return RoutingFailureClassifier.Classify(exception, _time.GetUtcNow());
    }

    /// <summary>
    /// Builds a deployment's pipeline: retry, circuit breaker, attempt timeout; each only when it can act. Returns
    /// <see langword="null"/> when none can, and the attempt then runs without Polly.
    /// </summary>
    private ResiliencePipeline? BuildPipeline(RoutedDeployment d)
    {
        var r = _options.Resilience;

        // Under the last-healthy rule, a deployment alone in one of its groups never opens its circuit.
        d.HasCircuit = !(r.KeepLastHealthyDeployment && d.Groups.Exists(static g => g.Deployments.Length == 1));
        var timeouts = r.AttemptTimeout is not null || r.TimeToFirstTokenTimeout is not null;
        if (r.MaxRetriesPerDeployment == 0 && !d.HasCircuit && !timeouts)
        {
            return null;
        }

        var builder = new ResiliencePipelineBuilder { Name = d.Name, TimeProvider = _time };
        if (r.MaxRetriesPerDeployment > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                // The attempt decided (EndAttempt) whether its own failure is retried; a refusal by the breaker never is.
                ShouldHandle = static args => new ValueTask<bool>(
                    args.Context.Properties.TryGetValue(AttemptKey, out var a)
                    && a.RetryException is { } e
                    && (ReferenceEquals(args.Outcome.Exception, e) || ReferenceEquals(args.Outcome.Exception?.InnerException, e))),
                MaxRetryAttempts = r.MaxRetriesPerDeployment,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = r.RetryBaseDelay,
                MaxDelay = r.RetryMaxDelay,
                Randomizer = _random,
                DelayGenerator = static args => new ValueTask<TimeSpan?>(
                    args.Context.Properties.TryGetValue(AttemptKey, out var a) ? a.RetryFailure?.RetryAfter : null),
                OnRetry = args =>
                {
                    if (args.Context.Properties.TryGetValue(AttemptKey, out var a) && args.Outcome.Exception is { } e)
                    {
                        var kind = a.RetryFailure?.Kind ?? RoutingFailureKind.Transient;
                        RoutingLog.AttemptRetried(_logger, a.Number, d.Name, a.Group.Name, kind, args.RetryDelay, e);
                        if (_retries.Enabled)
                        {
                            _retries.Add(
                                1,
                                new(RoutingTelemetryNames.GroupAttribute, a.Group.Name),
                                new(RoutingTelemetryNames.DeploymentAttribute, d.Name),
                                new(RoutingTelemetryNames.FailureAttribute, Snake(kind)));
                        }
                    }

                    return default;
                },
            });
        }

        if (d.HasCircuit)
        {
            AddCircuitBreaker(builder, d);
        }

        if (r.AttemptTimeout is not null || r.TimeToFirstTokenTimeout is not null)
        {
            var attempt = r.AttemptTimeout ?? TimeSpan.Zero;
            var firstToken = r.TimeToFirstTokenTimeout ?? TimeSpan.Zero;

            // Zero means no timeout for that kind of call. The timer is armed only when the call does not complete at once.
            DeferredTimeoutStrategy.Add(
                builder,
                context => context.Properties.TryGetValue(AttemptKey, out var a) && a.Request.Streaming ? firstToken : attempt,
                _time);
        }

        return builder.Build();
    }

    private void AddCircuitBreaker(ResiliencePipelineBuilder builder, RoutedDeployment d)
    {
        var r = _options.Resilience;
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = r.CircuitFailureRatio,
            MinimumThroughput = r.CircuitMinimumThroughput,
            SamplingDuration = r.CircuitSamplingDuration,
            BreakDuration = r.CooldownDuration,
            StateProvider = d.Circuit,
            ShouldHandle = args => new ValueTask<bool>(
                args.Outcome.Exception is { } e
                && CountsTowardCircuit(e, args.Context)
                && !(r.KeepLastHealthyDeployment && IsLastHealthy(d))),
            OnOpened = args =>
            {
                d.OpenUntil = _time.GetUtcNow() + args.BreakDuration;
                RoutingLog.CircuitOpened(_logger, d.Name, args.BreakDuration, args.Outcome.Exception);
                _circuitChanges.Add(1, new(RoutingTelemetryNames.DeploymentAttribute, d.Name), new(RoutingTelemetryNames.CircuitStateAttribute, "open"));
                return default;
            },
            OnClosed = _ =>
            {
                RoutingLog.CircuitClosed(_logger, d.Name);
                _circuitChanges.Add(1, new(RoutingTelemetryNames.DeploymentAttribute, d.Name), new(RoutingTelemetryNames.CircuitStateAttribute, "closed"));
                return default;
            },
            OnHalfOpened = _ =>
            {
                _circuitChanges.Add(1, new(RoutingTelemetryNames.DeploymentAttribute, d.Name), new(RoutingTelemetryNames.CircuitStateAttribute, "half_open"));
                return default;
            },
        });
    }

    private bool CountsTowardCircuit(Exception exception, ResilienceContext context)
    {
        // Neither the caller's cancellation nor a run cancelled because it lost a hedging race says anything about health.
        if (exception is OperationCanceledException
            && context.Properties.TryGetValue(AttemptKey, out var a)
            && (a.Lost || a.Request.RequestToken.IsCancellationRequested))
        {
            return false;
        }

        return Classify(exception).CountsTowardCircuit;
    }

    /// <summary>Returns whether <paramref name="d"/> is the only deployment with a closed circuit in one of its groups.</summary>
    private static bool IsLastHealthy(RoutedDeployment d)
    {
        foreach (var group in d.Groups)
        {
            var others = 0;
            foreach (var other in group.Deployments)
            {
                if (!ReferenceEquals(other, d) && other.State == CircuitState.Closed)
                {
                    others++;
                }
            }

            if (others == 0)
            {
                return true;
            }
        }

        return false;
    }

    private static string Snake(RoutingAttemptResult result) => result switch
    {
        RoutingAttemptResult.Succeeded => "succeeded",
        RoutingAttemptResult.Retried => "retried",
        RoutingAttemptResult.FailedOver => "failed_over",
        RoutingAttemptResult.Escalated => "escalated",
        RoutingAttemptResult.Failed => "failed",
        _ => "cancelled",
    };

    private static string Snake(RoutingFailureKind kind) => kind switch
    {
        RoutingFailureKind.Transient => "transient",
        RoutingFailureKind.RateLimited => "rate_limited",
        RoutingFailureKind.Timeout => "timeout",
        RoutingFailureKind.Unavailable => "unavailable",
        RoutingFailureKind.ContextWindowExceeded => "context_window_exceeded",
        RoutingFailureKind.ContentFiltered => "content_filtered",
        RoutingFailureKind.Unauthorized => "unauthorized",
        RoutingFailureKind.ClientError => "client_error",
        _ => "cancelled",
    };

    private readonly record struct Attempt(int Number, long Start, Activity? Activity);

    /// <summary>A pipeline run that starts from an attempt already made: its first callback returns that attempt's outcome.</summary>
    private sealed class ReplayState<T>(RoutedAttempt attempt, Func<ResilienceContext?, RoutedAttempt, ValueTask<Outcome<T>>> callback, Outcome<T> first)
    {
        private int _replayed;

        public RoutedAttempt Attempt { get; } = attempt;

        public Func<ResilienceContext?, RoutedAttempt, ValueTask<Outcome<T>>> Callback { get; } = callback;

        public bool TakeReplay(out Outcome<T> outcome)
        {
            outcome = first;
            return Interlocked.Exchange(ref _replayed, 1) == 0;
        }
    }

    /// <summary>How one run of a deployment's pipeline (or a hedging race) ended: its value, or its captured failure.</summary>
    private readonly record struct Step<T>(RoutedAttempt Attempt, T? Value, ExceptionDispatchInfo? Error)
        where T : class;
}
