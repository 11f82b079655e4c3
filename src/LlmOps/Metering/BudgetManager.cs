using System.Diagnostics;
using System.Diagnostics.Metrics;
using LlmOps.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmOps.Metering;

/// <summary>
/// Enforces <see cref="Budget"/>s with reserve-then-settle: before a call, <see cref="Reserve"/> atomically
/// reserves its worst-case cost in every budget that applies, or throws <see cref="BudgetExceededException"/>;
/// after the call, <see cref="BudgetReservation.Settle"/> replaces the reservation with the actual cost. Because
/// the check and the reservation are one step, concurrent requests cannot overspend a limit. Thread-safe.
/// </summary>
public sealed class BudgetManager
{
    private readonly Budget[] _budgets;
    private readonly Dictionary<(int Budget, LlmOpsScope Scope), Bucket> _buckets = [];
    private readonly Lock _gate = new();
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
    /// <exception cref="ArgumentNullException"><paramref name="budgets"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A budget is invalid; the message names it and the field.</exception>
    public BudgetManager(IEnumerable<Budget> budgets, TimeProvider? timeProvider = null, LlmOpsTelemetry? telemetry = null, ILogger? logger = null)
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

    /// <summary>Gets the number of reservations neither settled nor released.</summary>
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
    public BudgetReservation Reserve(LlmOpsScope scope, decimal amount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        List<BudgetThresholdEventArgs>? events = null;
        Bucket[] held;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var count = 0;
            var matched = new Bucket[_budgets.Length];
            for (var i = 0; i < _budgets.Length; i++)
            {
                if (!_budgets[i].Matches(scope))
                {
                    continue;
                }

                var bucket = GetBucket(i, scope, now);
                if (bucket.Spent + bucket.Reserved + amount > bucket.Budget.Limit)
                {
                    _rejections.Add(1);
                    throw new BudgetExceededException(bucket.Budget, bucket.Scope, bucket.Spent, bucket.Reserved, amount, bucket.WindowEnd);
                }

                matched[count++] = bucket;
            }

            held = count == matched.Length ? matched : matched[..count];
            foreach (var bucket in held)
            {
                bucket.Reserved += amount;
                CheckThresholds(bucket, ref events);
            }

            _open++;
        }

        Raise(events);
        return new BudgetReservation(this, held, amount);
    }

    /// <summary>Gets the state of every budget partition that applies to a scope.</summary>
    /// <param name="scope">The scope.</param>
    /// <returns>One status per applicable budget.</returns>
    public IReadOnlyList<BudgetStatus> GetStatus(LlmOpsScope scope)
    {
        var result = new List<BudgetStatus>();
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            for (var i = 0; i < _budgets.Length; i++)
            {
                if (_budgets[i].Matches(scope))
                {
                    var b = GetBucket(i, scope, now);
                    result.Add(new BudgetStatus(b.Budget, b.Scope, b.Spent, b.Reserved, b.WindowStart, b.WindowEnd));
                }
            }
        }

        return result;
    }

    internal void Complete(Bucket[] buckets, decimal reserved, decimal? actual)
    {
        List<BudgetThresholdEventArgs>? events = null;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            foreach (var bucket in buckets)
            {
                Roll(bucket, now);
                bucket.Reserved -= reserved;
                if (actual is { } spent)
                {
                    bucket.Spent += spent;
                    CheckThresholds(bucket, ref events);
                }
            }

            _open--;
        }

        Raise(events);
    }

    private Bucket GetBucket(int index, LlmOpsScope scope, DateTimeOffset now)
    {
        var budget = _budgets[index];
        var partition = budget.Partition(scope);
        if (!_buckets.TryGetValue((index, partition), out var bucket))
        {
            bucket = new Bucket(budget, partition);
            _buckets[(index, partition)] = bucket;
        }

        Roll(bucket, now);
        return bucket;
    }

    private static void Roll(Bucket bucket, DateTimeOffset now)
    {
        if (bucket.WindowEnd is { } end && now < end && now >= bucket.WindowStart)
        {
            return;
        }

        if (bucket.Budget.Window == BudgetWindow.Total)
        {
            return;
        }

        var (start, next) = WindowOf(bucket.Budget.Window, now);
        if (start != bucket.WindowStart)
        {
            // A new window: spend starts again; reservations in flight stay held until they settle.
            bucket.WindowStart = start;
            bucket.WindowEnd = next;
            bucket.Spent = 0m;
            bucket.FiredThresholds = 0;
        }
    }

    private static (DateTimeOffset Start, DateTimeOffset End) WindowOf(BudgetWindow window, DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        return window switch
        {
            BudgetWindow.Minute => Span(new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, 0, TimeSpan.Zero), TimeSpan.FromMinutes(1)),
            BudgetWindow.Hour => Span(new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(1)),
            BudgetWindow.Day => Span(new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(1)),
            _ => MonthOf(utc),
        };

        static (DateTimeOffset, DateTimeOffset) Span(DateTimeOffset start, TimeSpan length) => (start, start + length);

        static (DateTimeOffset, DateTimeOffset) MonthOf(DateTimeOffset utc)
        {
            var start = new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
            return (start, start.AddMonths(1));
        }
    }

    private void CheckThresholds(Bucket bucket, ref List<BudgetThresholdEventArgs>? events)
    {
        var thresholds = bucket.ThresholdAmounts;
        var used = bucket.Spent + bucket.Reserved;
        for (var i = 0; i < thresholds.Length; i++)
        {
            var bit = 1 << i;
            if ((bucket.FiredThresholds & bit) == 0 && used >= thresholds[i])
            {
                bucket.FiredThresholds |= bit;
                (events ??= []).Add(new BudgetThresholdEventArgs(bucket.Budget, bucket.Scope, bucket.Budget.SoftThresholds[i], bucket.Spent, bucket.Reserved));
            }
        }
    }

    private void Raise(List<BudgetThresholdEventArgs>? events)
    {
        if (events is null)
        {
            return;
        }

        foreach (var e in events)
        {
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

    [DebuggerDisplay("{Scope} spent={Spent} reserved={Reserved}")]
    internal sealed class Bucket(Budget budget, LlmOpsScope scope)
    {
        public Budget Budget { get; } = budget;

        public LlmOpsScope Scope { get; } = scope;

        public decimal Spent { get; set; }

        public decimal Reserved { get; set; }

        public DateTimeOffset WindowStart { get; set; } = DateTimeOffset.MinValue;

        public DateTimeOffset? WindowEnd { get; set; }

        public int FiredThresholds { get; set; }

        // Precomputed once: converting a double threshold to decimal on every reservation is the slowest step.
        public decimal[] ThresholdAmounts { get; } = budget.Limit <= 0 || budget.SoftThresholds is null
            ? []
            : budget.SoftThresholds.Take(32).Select(t => (decimal)t * budget.Limit).ToArray();
    }
}
