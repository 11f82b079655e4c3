namespace LlmOps.Metering;

/// <summary>
/// The default <see cref="ICostLedger"/>: in memory, thread-safe and bounded. It keeps exact aggregates (attempts,
/// tokens, cost, estimated attempts) by tenant, user, feature and model per UTC minute, hour and day, which answer
/// <see cref="GetTotalsAsync"/>, plus a window of the most recent <see cref="RecentRecords"/> records, which answers
/// <see cref="QueryAsync"/>. Memory therefore grows with the number of scopes, models and days, not with the number of
/// requests. A durable ledger (SQLite, PostgreSQL) is where the full history of records lives.
/// </summary>
/// <remarks>
/// <para>
/// Totals are exact for ranges whose ends fall on UTC day boundaries, on hour boundaries within the last
/// <see cref="HourRetention"/> of recorded time, on minute boundaries within the last <see cref="MinuteRetention"/>,
/// or within the recent records. Every <see cref="BudgetWindow"/> is aligned this way; an unbounded range is always exact.
/// </para>
/// <para>Writes are idempotent on (request id, attempt) while the first write is among the recent records.</para>
/// <para>
/// The recent records are kept as values in one array, not as the <see cref="CostRecord"/> instances given:
/// <see cref="QueryAsync"/> returns equal copies. Holding every record for its next 10,000 requests made each one outlive
/// the young generation, so the garbage collector copied it once or twice before it could be freed.
/// </para>
/// </remarks>
public sealed class InMemoryCostLedger : ICostLedger
{
    /// <summary>The default number of recent records kept: 10,000.</summary>
    public const int DefaultRecentRecords = 10_000;

    /// <summary>How long (in recorded time) per-minute aggregates are kept: 3 hours.</summary>
    public static readonly TimeSpan MinuteRetention = TimeSpan.FromHours(3);

    /// <summary>How long (in recorded time) per-hour aggregates are kept: 3 days.</summary>
    public static readonly TimeSpan HourRetention = TimeSpan.FromDays(3);

    private static readonly long MinuteTicks = TimeSpan.TicksPerMinute;
    private static readonly long HourTicks = TimeSpan.TicksPerHour;
    private static readonly long DayTicks = TimeSpan.TicksPerDay;

    private readonly Lock _gate = new();
    private readonly int _capacity;
    private Entry[] _ring;
    // Keyed without formatting a generated request id (CostRecord.RequestKey): the metering stage's records carry its number.
    private readonly HashSet<RecentKey> _recentKeys = [];
    private readonly Dictionary<(Key Key, long Start), Aggregate> _minutes = [];
    private readonly Dictionary<(Key Key, long Start), Aggregate> _hours = [];
    private readonly Dictionary<(Key Key, long Start), Aggregate> _days = [];
    private int _next;
    private int _count;
    private long _total;
    private long _latestTicks = long.MinValue;
    private long _prunedThrough = long.MinValue;

    // The buckets the last record went to (its scope and model, its minute, hour and day).
    private Key _lastKey;
    private long _lastMinute;
    private Aggregate? _lastMinuteBucket;
    private Aggregate? _lastHourBucket;
    private Aggregate? _lastDayBucket;

    // Records that went to the last buckets since they were last brought up to date: added to all three at once (Flush)
    // before the buckets change or are read, so a run of records in one minute costs one addition each, not three.
    private readonly Aggregate _run = new();
    private bool _runPending;

    // The last record's model and its lower-case form (the aggregates' key), so a run of one model lower-cases it once.
    private string? _lastModel;
    private string _lastModelLower = string.Empty;

    /// <summary>Initializes a new instance of the <see cref="InMemoryCostLedger"/> class.</summary>
    /// <param name="recentRecords">How many recent records to keep for <see cref="QueryAsync"/>; <see cref="DefaultRecentRecords"/> by default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="recentRecords"/> is less than 1.</exception>
    public InMemoryCostLedger(int recentRecords = DefaultRecentRecords)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(recentRecords, 1);
        _capacity = recentRecords;
        _ring = new Entry[Math.Min(recentRecords, 64)];
    }

    /// <summary>Gets how many recent records are kept.</summary>
    public int RecentRecords => _capacity;

    /// <summary>Gets the number of records kept now (at most <see cref="RecentRecords"/>).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Gets the number of records ever added (duplicates excluded).</summary>
    public long TotalRecorded => Volatile.Read(ref _total);

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is <see langword="null"/>.</exception>
    public ValueTask<bool> RecordAsync(CostRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        cancellationToken.ThrowIfCancellationRequested();
        var request = record.RequestKey;
        lock (_gate)
        {
            if (!_recentKeys.Add(new RecentKey(request, record.Attempt)))
            {
                return new(false);
            }

            if (_count == _capacity)
            {
                ref var evicted = ref _ring[_next];
                _recentKeys.Remove(new RecentKey(evicted.Request, evicted.Attempt));
            }
            else
            {
                if (_count == _ring.Length)
                {
                    // Not yet wrapped: the entries are in order, so growing keeps them in place.
                    Array.Resize(ref _ring, (int)Math.Min(_capacity, 2L * _ring.Length));
                }

                _count++;
            }

            _ring[_next].Set(record, request);
            _next = (_next + 1) % _capacity;
            Volatile.Write(ref _total, _total + 1); // written under the lock only; read without it

            if (!ReferenceEquals(record.Model, _lastModel))
            {
                _lastModelLower = record.Model.ToLowerInvariant();
                _lastModel = record.Model;
            }

            var key = new Key(record.Scope.Tenant, record.Scope.User, record.Scope.Feature, _lastModelLower);
            var ticks = record.Timestamp.UtcTicks;
            var minute = Floor(ticks, MinuteTicks);
            if (_lastMinuteBucket is not null && _lastMinute == minute && _lastKey.Equals(key))
            {
                // The same scope and model as the previous record, in the same minute (the common case): its three
                // buckets are known, and the three look-ups (each hashing four strings) are skipped.
                _run.Add(record);
                _runPending = true;
            }
            else
            {
                Flush();
                _lastMinuteBucket = Add(_minutes, key, minute, record);
                _lastHourBucket = Add(_hours, key, Floor(ticks, HourTicks), record);
                _lastDayBucket = Add(_days, key, Floor(ticks, DayTicks), record);
                _lastKey = key;
                _lastMinute = minute;
            }

            if (ticks > _latestTicks)
            {
                _latestTicks = ticks;
                Prune();
            }
        }

        return new(true);
    }

    /// <inheritdoc/>
    /// <remarks>Only the recent records (see <see cref="RecentRecords"/>) are returned; a durable ledger keeps them all.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is <see langword="null"/>.</exception>
    public ValueTask<IReadOnlyList<CostRecord>> QueryAsync(CostLedgerQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new List<CostRecord>();
        lock (_gate)
        {
            for (var i = 0; i < _count; i++)
            {
                ref var entry = ref _ring[i];
                if (query.Matches(entry.Scope, entry.Model, entry.Timestamp))
                {
                    result.Add(entry.ToRecord());
                }
            }
        }

        result.Sort(static (a, b) => a.Timestamp.CompareTo(b.Timestamp));
        return new(result);
    }

    /// <inheritdoc/>
    /// <remarks>Answered from the aggregates; see the class remarks for which ranges are exact.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is <see langword="null"/>.</exception>
    public ValueTask<CostTotals> GetTotalsAsync(CostLedgerQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        var from = query.From?.UtcTicks ?? long.MinValue;
        var to = query.To?.UtcTicks ?? long.MaxValue;
        var sum = new Aggregate();
        lock (_gate)
        {
            Flush();
            var minuteHorizon = MinuteHorizon();
            var hourHorizon = HourHorizon();

            // Each attempt is counted once, at the coarsest level whose bucket lies wholly in the range.
            foreach (var ((key, start), aggregate) in _days)
            {
                if (Within(start, DayTicks, from, to) && key.Matches(query))
                {
                    sum.Add(aggregate);
                }
            }

            foreach (var ((key, start), aggregate) in _hours)
            {
                if (start >= hourHorizon && Within(start, HourTicks, from, to) && !Within(Floor(start, DayTicks), DayTicks, from, to) && key.Matches(query))
                {
                    sum.Add(aggregate);
                }
            }

            foreach (var ((key, start), aggregate) in _minutes)
            {
                if (start >= minuteHorizon && Within(start, MinuteTicks, from, to) && !HourCounted(start, from, to, hourHorizon) && key.Matches(query))
                {
                    sum.Add(aggregate);
                }
            }

            for (var i = 0; i < _count; i++)
            {
                ref var entry = ref _ring[i];
                if (!query.Matches(entry.Scope, entry.Model, entry.Timestamp))
                {
                    continue;
                }

                var ticks = entry.Timestamp.UtcTicks;
                var minute = Floor(ticks, MinuteTicks);
                var minuteCounted = Within(minute, MinuteTicks, from, to) && minute >= minuteHorizon;
                if (!minuteCounted && !HourCounted(minute, from, to, hourHorizon))
                {
                    sum.Add(entry.InputTokens, entry.CachedInputTokens, entry.OutputTokens, entry.Cost, entry.IsEstimated);
                }
            }
        }

        return new(new CostTotals(sum.Attempts, sum.InputTokens, sum.CachedInputTokens, sum.OutputTokens, sum.Cost, sum.Estimated));
    }

    private static bool HourCounted(long ticks, long from, long to, long hourHorizon)
    {
        var hour = Floor(ticks, HourTicks);
        return Within(Floor(ticks, DayTicks), DayTicks, from, to) || (Within(hour, HourTicks, from, to) && hour >= hourHorizon);
    }

    private static bool Within(long start, long length, long from, long to)
        => start >= from && (to == long.MaxValue || start <= to - length);

    private static long Floor(long ticks, long unit)
    {
        var r = ticks % unit;
        return r >= 0 ? ticks - r : ticks - r - unit;
    }

    private static Aggregate Add(Dictionary<(Key, long), Aggregate> buckets, Key key, long start, CostRecord record)
    {
        if (!buckets.TryGetValue((key, start), out var aggregate))
        {
            aggregate = new Aggregate();
            buckets[(key, start)] = aggregate;
        }

        aggregate.Add(record);
        return aggregate;
    }

    private long MinuteHorizon() => _latestTicks == long.MinValue ? long.MinValue : Floor(_latestTicks - MinuteRetention.Ticks, MinuteTicks);

    private long HourHorizon() => _latestTicks == long.MinValue ? long.MinValue : Floor(_latestTicks - HourRetention.Ticks, HourTicks);

    /// <summary>Adds the pending run to the last record's three buckets (under the lock).</summary>
    private void Flush()
    {
        if (!_runPending)
        {
            return;
        }

        _lastMinuteBucket!.Add(_run);
        _lastHourBucket!.Add(_run);
        _lastDayBucket!.Add(_run);
        _run.Clear();
        _runPending = false;
    }

    private void Prune()
    {
        // At most once per recorded minute: drop minute and hour buckets that fell behind their retention.
        var minute = Floor(_latestTicks, MinuteTicks);
        if (minute <= _prunedThrough)
        {
            return;
        }

        _prunedThrough = minute;
        Flush();
        _lastMinuteBucket = null; // the last record's buckets may be among those removed
        var minuteHorizon = MinuteHorizon();
        var hourHorizon = HourHorizon();
        RemoveOlder(_minutes, minuteHorizon);
        RemoveOlder(_hours, hourHorizon);

        static void RemoveOlder(Dictionary<(Key, long Start), Aggregate> buckets, long horizon)
        {
            foreach (var bucket in buckets.Keys)
            {
                if (bucket.Start < horizon)
                {
                    buckets.Remove(bucket);
                }
            }
        }
    }

    private readonly record struct Key(string? Tenant, string? User, string? Feature, string Model)
    {
        public bool Matches(CostLedgerQuery query)
            => (query.Tenant is null || string.Equals(query.Tenant, Tenant, StringComparison.Ordinal))
            && (query.User is null || string.Equals(query.User, User, StringComparison.Ordinal))
            && (query.Feature is null || string.Equals(query.Feature, Feature, StringComparison.Ordinal))
            && (query.Model is null || string.Equals(query.Model, Model, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>One recent record, kept by value (<see cref="ToRecord"/> builds an equal <see cref="CostRecord"/>).</summary>
    /// <remarks>
    /// Written field by field in place (<see cref="Set"/>): assigning a whole struct that holds references into the array
    /// goes through the runtime's bulk copy with write barriers, which cost more than the fields' own barriers.
    /// </remarks>
    private struct Entry
    {
        public (string? Text, ulong Generated) Request;
        public int Attempt;
        public DateTimeOffset Timestamp;
        public LlmOpsScope Scope;
        public string Model;
        public string? PricedAs;
        public ModelTier Tier;
        public long InputTokens;
        public long CachedInputTokens;
        public long OutputTokens;
        public TimeSpan GpuTime;
        public decimal Cost;
        public PriceSource PriceSource;
        public bool IsEstimated;
        public bool IsComplete;
        public string? PromptName;
        public string? PromptVersion;

        public void Set(CostRecord record, (string? Text, ulong Generated) request)
        {
            Request = request;
            Attempt = record.Attempt;
            Timestamp = record.Timestamp;
            Scope = record.Scope;
            Model = record.Model;
            PricedAs = record.PricedAs;
            Tier = record.Tier;
            InputTokens = record.InputTokens;
            CachedInputTokens = record.CachedInputTokens;
            OutputTokens = record.OutputTokens;
            GpuTime = record.GpuTime;
            Cost = record.Cost;
            PriceSource = record.PriceSource;
            IsEstimated = record.IsEstimated;
            IsComplete = record.IsComplete;
            PromptName = record.PromptName;
            PromptVersion = record.PromptVersion;
        }

        public readonly CostRecord ToRecord()
        {
            return new CostRecord
            {
                RequestKeyInit = Request,
                Attempt = Attempt,
                Timestamp = Timestamp,
                Scope = Scope,
                Model = Model,
                PricedAs = PricedAs,
                Tier = Tier,
                InputTokens = InputTokens,
                CachedInputTokens = CachedInputTokens,
                OutputTokens = OutputTokens,
                GpuTime = GpuTime,
                Cost = Cost,
                PriceSource = PriceSource,
                IsEstimated = IsEstimated,
                IsComplete = IsComplete,
                PromptName = PromptName,
                PromptVersion = PromptVersion,
            };
        }
    }

    /// <summary>The idempotency key of a recent record: its request (text, or a generated id's number) and attempt.</summary>
    private readonly struct RecentKey((string? Text, ulong Generated) request, int attempt) : IEquatable<RecentKey>
    {
        private readonly string? _text = request.Text;
        private readonly ulong _generated = request.Generated;
        private readonly int _attempt = attempt;

        public bool Equals(RecentKey other)
            => _generated == other._generated && _attempt == other._attempt && string.Equals(_text, other._text, StringComparison.Ordinal);

        public override bool Equals(object? obj) => obj is RecentKey other && Equals(other);

        public override int GetHashCode()
            => _text is null ? (int)_generated ^ (int)(_generated >> 32) ^ (_attempt * 486187739) : HashCode.Combine(_text, _attempt);
    }

    private sealed class Aggregate
    {
        public long Attempts;
        public long InputTokens;
        public long CachedInputTokens;
        public long OutputTokens;
        public decimal Cost;
        public long Estimated;

        public void Add(CostRecord r) => Add(r.InputTokens, r.CachedInputTokens, r.OutputTokens, r.Cost, r.IsEstimated);

        public void Add(long input, long cached, long output, decimal cost, bool estimated)
        {
            Attempts++;
            InputTokens += input;
            CachedInputTokens += cached;
            OutputTokens += output;
            Cost += cost;
            Estimated += estimated ? 1 : 0;
        }

        public void Clear()
        {
            Attempts = InputTokens = CachedInputTokens = OutputTokens = Estimated = 0;
            Cost = 0m;
        }

        public void Add(Aggregate a)
        {
            Attempts += a.Attempts;
            InputTokens += a.InputTokens;
            CachedInputTokens += a.CachedInputTokens;
            OutputTokens += a.OutputTokens;
            Cost += a.Cost;
            Estimated += a.Estimated;
        }
    }
}
