using System.Diagnostics.Metrics;
using LlmOps.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmOps.Metering;

/// <summary>
/// Enforces <see cref="Budget"/>s with reserve-then-settle: before a call, <see cref="Reserve"/> atomically
/// reserves its worst-case cost in every budget that applies, or throws <see cref="BudgetExceededException"/>;
/// after the call, <see cref="BudgetReservation.Settle"/> replaces the reservation with the actual cost. Because
/// the check and the reservation are one step in the <see cref="IBudgetStore"/>, concurrent requests cannot overspend
/// a limit (on one instance with the default <see cref="InMemoryBudgetStore"/>; across instances with a shared store).
/// Thread-safe.
/// </summary>
public sealed class BudgetManager
{
    private readonly Budget[] _budgets;
    private readonly TimeProvider _time;
    private readonly Counter<long> _thresholds;
    private readonly Counter<long> _rejections;
    private readonly ILogger _logger;
    private long _open;

    /// <summary>Initializes a new instance of the <see cref="BudgetManager"/> class.</summary>
    /// <param name="budgets">The budgets.</param>
    /// <param name="timeProvider">The clock for windows; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="telemetry">Where to record threshold and rejection counters; <see cref="LlmOpsTelemetry.Shared"/> when <see langword="null"/>.</param>
    /// <param name="logger">Logs a <see cref="ThresholdReached"/> handler that throws (the failure is absorbed); none when <see langword="null"/>.</param>
    /// <param name="store">Where spend and reservations live; a new <see cref="InMemoryBudgetStore"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="budgets"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A budget is invalid; the message names it and the field.</exception>
    public BudgetManager(IEnumerable<Budget> budgets, TimeProvider? timeProvider = null, LlmOpsTelemetry? telemetry = null, ILogger? logger = null, IBudgetStore? store = null)
    {
        _logger = logger ?? NullLogger.Instance;
        ArgumentNullException.ThrowIfNull(budgets);
        _budgets = [.. budgets];
        var errors = new List<string>();
        foreach (var budget in _budgets)
        {
            if (budget is null)
            {
                errors.Add("The budget list contains null; remove it.");
                continue;
            }

            errors.AddRange(budget.Validate());
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(budgets));
        }

        _time = timeProvider ?? TimeProvider.System;
        Store = store ?? new InMemoryBudgetStore();
        var t = telemetry ?? LlmOpsTelemetry.Shared;
        _thresholds = t.GetOrCreateCounter<long>(MeteringTelemetryNames.BudgetThresholdReached, "{event}", "Budget soft thresholds crossed, once per window and threshold.");
        _rejections = t.GetOrCreateCounter<long>(MeteringTelemetryNames.BudgetRejected, "{request}", "Requests rejected because a budget was full.");
    }

    /// <summary>
    /// Raised (outside any lock, on the thread that crossed it) when spend plus reservations cross a soft threshold. A
    /// handler that throws is logged (EventId 1401) and does not affect the reservation or the other handlers.
    /// </summary>
    public event EventHandler<BudgetThresholdEventArgs>? ThresholdReached;

    /// <summary>Gets the budgets.</summary>
    public IReadOnlyList<Budget> Budgets => _budgets;

    /// <summary>Gets the store that holds spend and reservations.</summary>
    public IBudgetStore Store { get; }

    /// <summary>Gets the number of reservations made by this manager and neither settled nor released.</summary>
    public long OpenReservations => Interlocked.Read(ref _open);

    /// <summary>Returns whether any budget applies to a scope (when none does, there is nothing to reserve).</summary>
    /// <param name="scope">The scope.</param>
    /// <returns><see langword="true"/> when a budget applies.</returns>
    public bool AppliesTo(LlmOpsScope scope)
    {
        foreach (var budget in _budgets)
        {
            if (budget.Matches(scope))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Atomically reserves <paramref name="amount"/> in every budget that applies to <paramref name="scope"/>, or
    /// reserves nothing and throws.
    /// </summary>
    /// <param name="scope">The request's scope.</param>
    /// <param name="amount">The worst-case cost in USD.</param>
    /// <returns>The reservation; settle or release it (disposing releases it when still open).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="amount"/> is negative.</exception>
    /// <exception cref="BudgetExceededException">A budget has no room for <paramref name="amount"/>.</exception>
    /// <remarks>A shared store that cannot reach its engine throws its own exception here (budgets fail closed).</remarks>
    public BudgetReservation Reserve(LlmOpsScope scope, decimal amount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        var partitions = PartitionsOf(scope);
        if (partitions.Length == 0)
        {
            Interlocked.Increment(ref _open);
            return new BudgetReservation(this, null, amount);
        }

        BudgetLease lease;
        try
        {
            lease = Store.Reserve(partitions, amount, _time.GetUtcNow());
        }
        catch (BudgetExceededException)
        {
            _rejections.Add(1);
            throw;
        }

        Interlocked.Increment(ref _open);
        Raise(lease.ThresholdsCrossed);
        return new BudgetReservation(this, lease, amount);
    }

    /// <summary>
    /// Asynchronously reserves <paramref name="amount"/> in every budget that applies to <paramref name="scope"/>, or
    /// reserves nothing and throws; a shared store (Redis) answers without blocking a thread.
    /// </summary>
    /// <param name="scope">The request's scope.</param>
    /// <param name="amount">The worst-case cost in USD.</param>
    /// <param name="cancellationToken">Checked before the reservation is sent.</param>
    /// <returns>The reservation; settle or release it (<see cref="BudgetReservation.SettleAsync"/>, <see cref="BudgetReservation.ReleaseAsync"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="amount"/> is negative.</exception>
    /// <exception cref="BudgetExceededException">A budget has no room for <paramref name="amount"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before anything was reserved.</exception>
    /// <remarks>A shared store that cannot reach its engine throws its own exception here (budgets fail closed).</remarks>
    public async ValueTask<BudgetReservation> ReserveAsync(LlmOpsScope scope, decimal amount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        cancellationToken.ThrowIfCancellationRequested();
        var partitions = PartitionsOf(scope);
        if (partitions.Length == 0)
        {
            Interlocked.Increment(ref _open);
            return new BudgetReservation(this, null, amount);
        }

        BudgetLease lease;
        try
        {
            lease = await Store.ReserveAsync(partitions, amount, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        catch (BudgetExceededException)
        {
            _rejections.Add(1);
            throw;
        }

        Interlocked.Increment(ref _open);
        Raise(lease.ThresholdsCrossed);
        return new BudgetReservation(this, lease, amount);
    }

    /// <summary>Gets the state of every budget partition that applies to a scope.</summary>
    /// <param name="scope">The scope.</param>
    /// <returns>One status per applicable budget.</returns>
    public IReadOnlyList<BudgetStatus> GetStatus(LlmOpsScope scope)
    {
        var partitions = PartitionsOf(scope);
        return partitions.Length == 0 ? [] : Store.GetStatus(partitions, _time.GetUtcNow());
    }

    internal void Complete(BudgetLease? lease, decimal? actual)
    {
        try
        {
            if (lease is not null)
            {
                Raise(Store.Complete(lease, actual, _time.GetUtcNow()));
            }
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    internal async ValueTask CompleteAsync(BudgetLease? lease, decimal? actual)
    {
        try
        {
            if (lease is not null)
            {
                Raise(await Store.CompleteAsync(lease, actual, _time.GetUtcNow()).ConfigureAwait(false));
            }
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private BudgetPartition[] PartitionsOf(LlmOpsScope scope)
    {
        var count = 0;
        foreach (var budget in _budgets)
        {
            if (budget.Matches(scope))
            {
                count++;
            }
        }

        if (count == 0)
        {
            return [];
        }

        var result = new BudgetPartition[count];
        count = 0;
        foreach (var budget in _budgets)
        {
            if (budget.Matches(scope))
            {
                result[count++] = new BudgetPartition(budget, budget.Partition(scope));
            }
        }

        return result;
    }

    private void Raise(IReadOnlyList<BudgetThresholdEventArgs> events)
    {
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            _thresholds.Add(1, new KeyValuePair<string, object?>(MeteringTelemetryNames.BudgetThresholdAttribute, e.Threshold));
            if (ThresholdReached is not { } handlers)
            {
                continue;
            }

            // A handler that throws must not strand the reservation just made (the caller never gets it back) nor
            // starve the other handlers: each runs on its own and a failure is logged.
            foreach (var handler in handlers.GetInvocationList())
            {
                try
                {
                    ((EventHandler<BudgetThresholdEventArgs>)handler)(this, e);
                }
                catch (Exception ex)
                {
                    MeteringLog.ThresholdHandlerFailed(_logger, e.Budget.ToString(), (double)e.Threshold, ex);
                }
            }
        }
    }
}
