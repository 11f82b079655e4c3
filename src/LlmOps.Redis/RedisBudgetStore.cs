using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmOps.Metering;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace LlmOps.Redis;

/// <summary>
/// An <see cref="IBudgetStore"/> in Redis, shared by every instance of an application: the check of every nested
/// partition (tenant, user, feature) and the reservation in all of them run as one Lua script, so concurrent callers on
/// any number of instances can never overspend a limit. Reservations are leases: one that its instance never settles
/// (the instance died) is released after <see cref="RedisOptions.BudgetLease"/>. Needs no Redis modules; works on Redis
/// Cluster (keys are hash-tagged by tenant, see <see cref="RedisOptions.BudgetsInOneSlot"/>).
/// </summary>
/// <remarks>
/// <para>
/// <b>Fails closed.</b> When Redis cannot be reached, <see cref="Reserve"/> and <see cref="GetStatus"/> throw
/// <see cref="RedisStoreUnavailableException"/>, so no request that needs a reservation reaches a provider unmetered. A
/// settlement that cannot be written (the call was already made) is kept in this instance and written before its next
/// reservation; if that fails, the reservation fails too.
/// </para>
/// <para>
/// Amounts are held as integers of nano-USD (10^-9): a reservation or a cost is rounded up to the next nano-dollar, never
/// down, and a limit may be at most <see cref="RedisOptions.MaxLimit"/>. Windows are the UTC calendar windows of the
/// <c>now</c> each instance passes (its <see cref="TimeProvider"/>); instances whose clocks agree agree on windows.
/// </para>
/// </remarks>
public sealed class RedisBudgetStore : IBudgetStore
{
    private const decimal UnitsPerUsd = 1_000_000_000m;
    private readonly IConnectionMultiplexer _connection;
    private readonly RedisOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<Pending> _pending = new();
    private readonly string _endpoints;
    private int _down;
    private bool? _cluster;

    /// <summary>Initializes a new instance of the <see cref="RedisBudgetStore"/> class.</summary>
    /// <param name="connection">The Redis connection (shared with the other stores).</param>
    /// <param name="options">Key prefix, lease and slot settings; defaults when <see langword="null"/>.</param>
    /// <param name="logger">Logs outages and deferred settlements (EventIds 1902, 1903); none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid; the message names the option.</exception>
    public RedisBudgetStore(IConnectionMultiplexer connection, RedisOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _options = options ?? new RedisOptions();
        if (_options.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        _connection = connection;
        _logger = logger ?? NullLogger.Instance;
        _endpoints = RedisEndpoints.Describe(connection);
    }

    /// <summary>Gets the number of settlements and releases written to this instance's queue while Redis was unreachable.</summary>
    public int PendingCompletions => _pending.Count;

    /// <inheritdoc/>
    /// <exception cref="RedisStoreUnavailableException">Redis cannot be reached (budgets fail closed).</exception>
    /// <exception cref="ArgumentException">A limit is above <see cref="RedisOptions.MaxLimit"/>, or the partitions need two hash slots on a cluster.</exception>
    public BudgetLease Reserve(IReadOnlyList<BudgetPartition> partitions, decimal amount, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        var (keys, id, args) = ReserveArguments(partitions, amount, now);
        Flush();
        return Leased(Evaluate(RedisBudgetScripts.Reserve, keys, args, "reserve"), partitions, amount, now, id, keys);
    }

    /// <inheritdoc/>
    /// <exception cref="RedisStoreUnavailableException">Redis cannot be reached (budgets fail closed).</exception>
    /// <exception cref="ArgumentException">A limit is above <see cref="RedisOptions.MaxLimit"/>, or the partitions need two hash slots on a cluster.</exception>
    public async ValueTask<BudgetLease> ReserveAsync(IReadOnlyList<BudgetPartition> partitions, decimal amount, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        cancellationToken.ThrowIfCancellationRequested();
        var (keys, id, args) = ReserveArguments(partitions, amount, now);
        if (!_pending.IsEmpty)
        {
            await FlushAsync().ConfigureAwait(false);
        }

        var result = await EvaluateAsync(RedisBudgetScripts.Reserve, keys, args, "reserve").ConfigureAwait(false);
        return Leased(result, partitions, amount, now, id, keys);
    }

    /// <inheritdoc/>
    public IReadOnlyList<BudgetThresholdEventArgs> Complete(BudgetLease lease, decimal? actualCost, DateTimeOffset now)
    {
        CheckLease(lease);
        try
        {
            return CompleteNow(lease, actualCost, now);
        }
        catch (RedisStoreUnavailableException ex)
        {
            Defer(lease, actualCost, now, ex);
            return [];
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<BudgetThresholdEventArgs>> CompleteAsync(BudgetLease lease, decimal? actualCost, DateTimeOffset now)
    {
        CheckLease(lease);
        try
        {
            var (keys, args) = CompleteArguments(lease, actualCost, now);
            return Crossed((RedisResult[])(await EvaluateAsync(RedisBudgetScripts.Complete, keys, args, "complete").ConfigureAwait(false))!, lease.Partitions);
        }
        catch (RedisStoreUnavailableException ex)
        {
            Defer(lease, actualCost, now, ex);
            return [];
        }
    }

    private (RedisKey[] Keys, string Id, RedisValue[] Args) ReserveArguments(IReadOnlyList<BudgetPartition> partitions, decimal amount, DateTimeOffset now)
    {
        var keys = Keys(partitions);
        var units = ToUnits(amount);
        var id = Guid.NewGuid().ToString("N");
        var args = new RedisValue[5 + (3 * partitions.Count)];
        args[0] = now.ToUnixTimeMilliseconds();
        args[1] = units;
        args[2] = id;
        args[3] = (now + _options.BudgetLease).ToUnixTimeMilliseconds();
        args[4] = LeaseJson(units, keys);
        for (var i = 0; i < partitions.Count; i++)
        {
            var budget = partitions[i].Budget;
            if (budget.Limit > RedisOptions.MaxLimit)
            {
                throw new ArgumentException($"Budget '{budget.DisplayName}' has a limit of {budget.Limit} USD; the Redis budget store holds at most {RedisOptions.MaxLimit} USD per budget (nano-dollar integers).", nameof(partitions));
            }

            args[5 + (3 * i)] = decimal.ToInt64(decimal.Floor(budget.Limit * UnitsPerUsd));
            args[6 + (3 * i)] = WindowArg(budget, now);
            args[7 + (3 * i)] = Thresholds(budget);
        }

        return (keys, id, args);
    }

    private static BudgetLease Leased(RedisResult result, IReadOnlyList<BudgetPartition> partitions, decimal amount, DateTimeOffset now, string id, RedisKey[] keys)
    {
        var values = (RedisResult[])result!;
        if ((long)values[0] == 0)
        {
            var index = (int)(long)values[1] - 1;
            var p = partitions[index];
            throw new BudgetExceededException(p.Budget, p.Scope, FromUnits((long)values[2]), FromUnits((long)values[3]), amount, BudgetWindows.Of(p.Budget.Window, now).End);
        }

        return new BudgetLease(id, partitions, amount, Crossed(values, partitions)) { StoreState = keys };
    }


    /// <inheritdoc/>
    /// <exception cref="RedisStoreUnavailableException">Redis cannot be reached.</exception>
    public IReadOnlyList<BudgetStatus> GetStatus(IReadOnlyList<BudgetPartition> partitions, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var keys = Keys(partitions);
        var args = new RedisValue[1 + partitions.Count];
        args[0] = now.ToUnixTimeMilliseconds();
        for (var i = 0; i < partitions.Count; i++)
        {
            args[1 + i] = WindowArg(partitions[i].Budget, now);
        }

        var values = (RedisResult[])Evaluate(RedisBudgetScripts.Status, keys, args, "status")!;
        var result = new BudgetStatus[partitions.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var budget = partitions[i].Budget;
            var (start, end) = BudgetWindows.Of(budget.Window, now);
            result[i] = new BudgetStatus(budget, partitions[i].Scope, FromUnits((long)values[2 * i]), FromUnits((long)values[(2 * i) + 1]), start, end);
        }

        return result;
    }

    /// <summary>Writes the settlements kept while Redis was unreachable; throws when Redis still cannot be reached.</summary>
    /// <exception cref="RedisStoreUnavailableException">Redis cannot be reached.</exception>
    public void Flush()
    {
        // Taken off the queue before it is sent, so two callers flushing at once never send one settlement twice (its
        // cost would count twice); put back when Redis still cannot be reached. Each carries its own time, so order is free.
        while (_pending.TryDequeue(out var next))
        {
            try
            {
                CompleteNow(next.Lease, next.Actual, next.Now);
            }
            catch (RedisStoreUnavailableException)
            {
                _pending.Enqueue(next);
                throw;
            }
        }
    }

    private static void CheckLease(BudgetLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (lease.StoreState is not RedisKey[])
        {
            throw new ArgumentException("The lease was not made by a RedisBudgetStore; complete it with the store that reserved it.", nameof(lease));
        }
    }

    private void Defer(BudgetLease lease, decimal? actualCost, DateTimeOffset now, RedisStoreUnavailableException ex)
    {
        // The call was made and paid for: keep the settlement and write it before the next reservation.
        _pending.Enqueue(new Pending(lease, actualCost, now));
        RedisLog.BudgetCompletionDeferred(_logger, _endpoints, _pending.Count, ex.InnerException ?? ex);
    }

    private async Task FlushAsync()
    {
        while (_pending.TryDequeue(out var next))
        {
            var (keys, args) = CompleteArguments(next.Lease, next.Actual, next.Now);
            try
            {
                await EvaluateAsync(RedisBudgetScripts.Complete, keys, args, "complete").ConfigureAwait(false);
            }
            catch (RedisStoreUnavailableException)
            {
                _pending.Enqueue(next);
                throw;
            }
        }
    }

    private IReadOnlyList<BudgetThresholdEventArgs> CompleteNow(BudgetLease lease, decimal? actualCost, DateTimeOffset now)
    {
        var (keys, args) = CompleteArguments(lease, actualCost, now);
        return Crossed((RedisResult[])Evaluate(RedisBudgetScripts.Complete, keys, args, "complete")!, lease.Partitions);
    }

    private static (RedisKey[] Keys, RedisValue[] Args) CompleteArguments(BudgetLease lease, decimal? actualCost, DateTimeOffset now)
    {
        var partitions = lease.Partitions;
        var keys = (RedisKey[])lease.StoreState!;
        var args = new RedisValue[3 + (2 * partitions.Count)];
        args[0] = now.ToUnixTimeMilliseconds();
        args[1] = lease.Id;
        args[2] = actualCost is { } cost ? ToUnits(cost) : -1;
        for (var i = 0; i < partitions.Count; i++)
        {
            args[3 + (2 * i)] = WindowArg(partitions[i].Budget, now);
            args[4 + (2 * i)] = Thresholds(partitions[i].Budget);
        }

        return (keys, args);
    }

    private RedisResult Evaluate(string script, RedisKey[] keys, RedisValue[] args, string operation)
    {
        try
        {
            var result = _connection.GetDatabase().ScriptEvaluate(script, keys, args);
            Interlocked.Exchange(ref _down, 0);
            return result;
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            throw Unavailable(operation, ex);
        }
    }

    private async Task<RedisResult> EvaluateAsync(string script, RedisKey[] keys, RedisValue[] args, string operation)
    {
        try
        {
            var result = await _connection.GetDatabase().ScriptEvaluateAsync(script, keys, args).ConfigureAwait(false);
            Interlocked.Exchange(ref _down, 0);
            return result;
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            throw Unavailable(operation, ex);
        }
    }

    private static bool IsOutage(Exception ex) => ex is RedisConnectionException or RedisTimeoutException or ObjectDisposedException;

    private RedisStoreUnavailableException Unavailable(string operation, Exception ex)
    {
        if (Interlocked.Exchange(ref _down, 1) == 0)
        {
            RedisLog.BudgetUnavailable(_logger, _endpoints, ex);
        }

        return new RedisStoreUnavailableException(
            $"Redis at {_endpoints} is unavailable ({operation}: {ex.Message}). Budgets fail closed: the request was refused before any provider call. Check that Redis is running and reachable; the store reconnects on its own.",
            ex);
    }

    // The scripts return {status, [index, threshold, spent, reserved]...} for the soft thresholds crossed.
    private static IReadOnlyList<BudgetThresholdEventArgs> Crossed(RedisResult[] values, IReadOnlyList<BudgetPartition> partitions)
    {
        if (values.Length <= 1)
        {
            return [];
        }

        var list = new List<BudgetThresholdEventArgs>((values.Length - 1) / 4);
        for (var i = 1; i + 3 < values.Length; i += 4)
        {
            var p = partitions[(int)(long)values[i] - 1];
            var threshold = p.Budget.SoftThresholds[(int)(long)values[i + 1] - 1];
            list.Add(new BudgetThresholdEventArgs(p.Budget, p.Scope, threshold, FromUnits((long)values[i + 2]), FromUnits((long)values[i + 3])));
        }

        return list;
    }

    private RedisKey[] Keys(IReadOnlyList<BudgetPartition> partitions)
    {
        // KEYS[1], KEYS[2]: the lease set and hash of the first partition's tag; then one key per partition.
        var keys = new RedisKey[2 + partitions.Count];
        string? first = null;
        for (var i = 0; i < partitions.Count; i++)
        {
            var tag = TagOf(partitions[i]);
            if (first is null)
            {
                first = tag;
            }
            else if (!string.Equals(first, tag, StringComparison.Ordinal) && IsCluster())
            {
                throw new ArgumentException(
                    $"Budget '{partitions[i].Budget.DisplayName}' and budget '{partitions[0].Budget.DisplayName}' have keys in different hash slots (one applies across tenants, the other to one tenant); on a Redis Cluster they cannot be checked in one atomic step. Give every budget a tenant (a name or Budget.Each), or set RedisOptions.BudgetsInOneSlot.",
                    nameof(partitions));
            }

            keys[2 + i] = $"{_options.KeyPrefix}:budget:{{{tag}}}:p:{BudgetId(partitions[i].Budget)}#{partitions[i].Scope.ToKey()}";
        }

        var head = $"{_options.KeyPrefix}:budget:{{{first ?? "global"}}}:";
        keys[0] = head + "leases";
        keys[1] = head + "lease";
        return keys;
    }

    // Each partition's key is tagged by its own budget alone, so it is the same key whichever request touches it: a
    // budget that names a tenant (or '*') always partitions by one tenant and is tagged by it (a tenant's nested budgets
    // share a slot, tenants spread over a cluster); a budget across tenants is tagged 'global'.
    private string TagOf(BudgetPartition partition)
        => _options.BudgetsInOneSlot ? "all"
            : partition.Budget.Scope.Tenant is not null && partition.Scope.Tenant is { } tenant ? "t:" + tenant.Replace('}', '_') : "global";

    private bool IsCluster()
    {
        if (_cluster is { } known)
        {
            return known;
        }

        var cluster = false;
        foreach (var server in _connection.GetServers())
        {
            cluster |= server.ServerType == ServerType.Cluster;
        }

        _cluster = cluster;
        return cluster;
    }

    // A budget's identity across instances: its name, else its scope, window and limit (two unnamed budgets that differ
    // only in limit are two counters, as they are in memory).
    private static string BudgetId(Budget budget) => budget.Name is { } name
        ? "n:" + name
        : $"{budget.Scope.ToKey()}|{budget.Window}|{budget.Limit.ToString(CultureInfo.InvariantCulture)}";

    private static string WindowArg(Budget budget, DateTimeOffset now)
        => budget.Window == BudgetWindow.Total ? "0" : BudgetWindows.Of(budget.Window, now).Start.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    private static string Thresholds(Budget budget)
    {
        var amounts = BudgetWindows.ThresholdAmounts(budget);
        if (amounts.Length == 0)
        {
            return "";
        }

        var sb = new StringBuilder();
        foreach (var amount in amounts)
        {
            sb.Append(sb.Length == 0 ? "" : ",").Append(ToUnits(amount).ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    private static string LeaseJson(long units, RedisKey[] keys)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writer.WriteNumberValue(units);
            for (var i = 2; i < keys.Length; i++)
            {
                writer.WriteStringValue((string)keys[i]!);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static long ToUnits(decimal usd) => decimal.ToInt64(decimal.Ceiling(usd * UnitsPerUsd));

    private static decimal FromUnits(long units) => units / UnitsPerUsd;

    private sealed record Pending(BudgetLease Lease, decimal? Actual, DateTimeOffset Now);
}
