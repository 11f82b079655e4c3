using System.Diagnostics;
using System.Globalization;

namespace LlmOps.Metering;

/// <summary>
/// The embedded default <see cref="IBudgetStore"/>: spend and reservations of one process, behind one short lock.
/// Reservations are held until completed (there is no lease expiry: a process that dies takes its reservations with
/// it). Thread-safe.
/// </summary>
public sealed class InMemoryBudgetStore : IBudgetStore
{
    private readonly Dictionary<BudgetPartition, Bucket> _buckets = new(PartitionComparer.Instance);
    private readonly Lock _gate = new();
    private long _nextId;

    /// <inheritdoc/>
    public BudgetLease Reserve(IReadOnlyList<BudgetPartition> partitions, decimal amount, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        List<BudgetThresholdEventArgs>? events = null;
        var held = new Bucket[partitions.Count];
        lock (_gate)
        {
            for (var i = 0; i < held.Length; i++)
            {
                var bucket = GetBucket(partitions[i], now);
                if (bucket.Spent + bucket.Reserved + amount > bucket.Budget.Limit)
                {
                    throw new BudgetExceededException(bucket.Budget, bucket.Scope, bucket.Spent, bucket.Reserved, amount, bucket.WindowEnd);
                }

                held[i] = bucket;
            }

            foreach (var bucket in held)
            {
                bucket.Reserved += amount;
                CheckThresholds(bucket, ref events);
            }
        }

        var id = Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        return new BudgetLease(id, partitions, amount, events) { StoreState = new Held(held) };
    }

    /// <inheritdoc/>
    public IReadOnlyList<BudgetThresholdEventArgs> Complete(BudgetLease lease, decimal? actualCost, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (lease.StoreState is not Held held)
        {
            throw new ArgumentException("The lease was not made by this InMemoryBudgetStore; complete it with the store that reserved it.", nameof(lease));
        }

        List<BudgetThresholdEventArgs>? events = null;
        lock (_gate)
        {
            if (held.Done)
            {
                return [];
            }

            held.Done = true;
            foreach (var bucket in held.Buckets)
            {
                Roll(bucket, now);
                bucket.Reserved -= lease.Amount;
                if (actualCost is { } spent)
                {
                    bucket.Spent += spent;
                    CheckThresholds(bucket, ref events);
                }
            }
        }

        return events ?? (IReadOnlyList<BudgetThresholdEventArgs>)[];
    }

    /// <inheritdoc/>
    public IReadOnlyList<BudgetStatus> GetStatus(IReadOnlyList<BudgetPartition> partitions, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var result = new BudgetStatus[partitions.Count];
        lock (_gate)
        {
            for (var i = 0; i < result.Length; i++)
            {
                var b = GetBucket(partitions[i], now);
                result[i] = new BudgetStatus(b.Budget, b.Scope, b.Spent, b.Reserved, b.WindowStart, b.WindowEnd);
            }
        }

        return result;
    }

    private Bucket GetBucket(BudgetPartition partition, DateTimeOffset now)
    {
        if (!_buckets.TryGetValue(partition, out var bucket))
        {
            bucket = new Bucket(partition.Budget, partition.Scope);
            _buckets[partition] = bucket;
        }

        Roll(bucket, now);
        return bucket;
    }

    private static void Roll(Bucket bucket, DateTimeOffset now)
    {
        if (bucket.Budget.Window == BudgetWindow.Total || (bucket.WindowEnd is { } end && now < end && now >= bucket.WindowStart))
        {
            return;
        }

        var (start, next) = BudgetWindows.Of(bucket.Budget.Window, now);
        if (start != bucket.WindowStart)
        {
            // A new window: spend starts again; reservations in flight stay held until they complete.
            bucket.WindowStart = start;
            bucket.WindowEnd = next;
            bucket.Spent = 0m;
            bucket.FiredThresholds = 0;
        }
    }

    private static void CheckThresholds(Bucket bucket, ref List<BudgetThresholdEventArgs>? events)
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

    private sealed class Held(Bucket[] buckets)
    {
        public Bucket[] Buckets { get; } = buckets;

        public bool Done { get; set; }
    }

    // Budgets are compared by reference: two equal budget records configured twice are two limits, each with its own
    // counter, as they were before the store existed.
    private sealed class PartitionComparer : IEqualityComparer<BudgetPartition>
    {
        public static readonly PartitionComparer Instance = new();

        public bool Equals(BudgetPartition x, BudgetPartition y) => ReferenceEquals(x.Budget, y.Budget) && x.Scope.Equals(y.Scope);

        public int GetHashCode(BudgetPartition obj) => HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Budget), obj.Scope);
    }

    [DebuggerDisplay("{Scope} spent={Spent} reserved={Reserved}")]
    private sealed class Bucket(Budget budget, LlmOpsScope scope)
    {
        public Budget Budget { get; } = budget;

        public LlmOpsScope Scope { get; } = scope;

        public decimal Spent { get; set; }

        public decimal Reserved { get; set; }

        public DateTimeOffset WindowStart { get; set; } = DateTimeOffset.MinValue;

        public DateTimeOffset? WindowEnd { get; set; }

        public int FiredThresholds { get; set; }

        // Precomputed once: converting a double threshold to decimal on every reservation is the slowest step.
        public decimal[] ThresholdAmounts { get; } = BudgetWindows.ThresholdAmounts(budget);
    }
}
