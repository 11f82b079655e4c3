using System.Collections.Concurrent;
using System.Globalization;
using LlmOps.Metering;
using Npgsql;
using NpgsqlTypes;

namespace LlmOps.PostgreSql;

/// <summary>
/// An <see cref="IBudgetStore"/> in PostgreSQL, shared by every instance of an application: a reservation locks the rows
/// of every nested partition (tenant, user, feature) in key order (<c>SELECT … FOR UPDATE</c>), checks them all and
/// reserves in all of them in one transaction, so concurrent callers on any number of instances can never overspend a
/// limit. Reservations are leases: one its instance never settles (the instance died) is released by the next
/// reservation or status read touching one of its partitions after the lease (default 10 minutes). Amounts are exact
/// <c>numeric</c>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Fails closed.</b> When PostgreSQL cannot be reached, <see cref="Reserve"/>, <see cref="ReserveAsync"/> and
/// <see cref="GetStatus"/> throw (an <see cref="NpgsqlException"/>), so no request that needs a reservation reaches a
/// provider unmetered. A settlement that cannot be written (the call was already made) is kept in this instance and
/// written before its next reservation; if that fails, the reservation fails too.
/// </para>
/// <para>
/// Windows are the UTC calendar windows of the <c>now</c> each instance passes. A transaction that PostgreSQL aborts to
/// break a deadlock (two reservations releasing each other's expired leases) is retried. The schema is created and
/// migrated on first use (<see cref="PostgreSqlSchema.MigrateAsync"/>).
/// </para>
/// </remarks>
public sealed class PostgreSqlBudgetStore : IBudgetStore
{
    private const int Attempts = 5;
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeSpan _lease;
    private readonly StoreInitialization _schemaReady;
    private readonly ConcurrentQueue<Pending> _pending = new();
    private readonly string _ensureRows;
    private readonly string _reap;
    private readonly string _lockRows;
    private readonly string _write;
    private readonly string _addLease;
    private readonly string _dropLease;

    /// <summary>Initializes a new instance of the <see cref="PostgreSqlBudgetStore"/> class.</summary>
    /// <param name="dataSource">The database; shared, not disposed by the store.</param>
    /// <param name="schema">The schema of the tables; <see cref="PostgreSqlSchema.DefaultSchema"/> by default.</param>
    /// <param name="lease">How long a reservation is held when its instance never settles it; 10 minutes when <see langword="null"/>. Set it above the longest call you make.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not a lower-case identifier of at most 40 characters.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lease"/> is not in (0, 7 days].</exception>
    public PostgreSqlBudgetStore(NpgsqlDataSource dataSource, string schema = PostgreSqlSchema.DefaultSchema, TimeSpan? lease = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        PostgreSqlSchema.RequireSchemaName(schema);
        _lease = lease ?? TimeSpan.FromMinutes(10);
        if (_lease <= TimeSpan.Zero || _lease > TimeSpan.FromDays(7))
        {
            throw new ArgumentOutOfRangeException(nameof(lease), _lease, "The budget lease must be in (0, 7 days].");
        }

        _dataSource = dataSource;
        var s = PostgreSqlSchema.Quote(schema);
        _schemaReady = new StoreInitialization(() => PostgreSqlSchema.MigrateAsync(dataSource, schema));

        // Make the rows exist ($1 keys, sorted), then release the expired leases ($1 now in ms) that hold any of them ($2).
        _ensureRows = $"INSERT INTO {s}.budget_partitions (key) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING";
        _reap = $"""
            WITH gone AS (DELETE FROM {s}.budget_leases WHERE expires_at <= $1 AND keys && $2::text[] RETURNING amount, keys),
                 per AS (SELECT k, sum(gone.amount) AS a FROM gone, unnest(gone.keys) AS k GROUP BY k)
            UPDATE {s}.budget_partitions p SET reserved = p.reserved - per.a FROM per WHERE p.key = per.k
            """;
        _lockRows = $"SELECT key, window_start, spent, reserved, fired FROM {s}.budget_partitions WHERE key = ANY($1) ORDER BY key FOR UPDATE";
        _write = $"""
            UPDATE {s}.budget_partitions p SET window_start = v.w, spent = v.s, reserved = v.r, fired = v.f
            FROM unnest($1::text[], $2::bigint[], $3::numeric[], $4::numeric[], $5::integer[]) AS v(k, w, s, r, f) WHERE p.key = v.k
            """;
        _addLease = $"INSERT INTO {s}.budget_leases (id, expires_at, amount, keys) VALUES ($1, $2, $3, $4)";
        _dropLease = $"DELETE FROM {s}.budget_leases WHERE id = $1 RETURNING amount";
    }

    /// <summary>Gets the number of settlements and releases kept in this instance while PostgreSQL was unreachable.</summary>
    public int PendingCompletions => _pending.Count;

    /// <inheritdoc/>
    /// <exception cref="NpgsqlException">PostgreSQL cannot be reached (budgets fail closed).</exception>
    public BudgetLease Reserve(IReadOnlyList<BudgetPartition> partitions, decimal amount, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        return ReserveCoreAsync(partitions, amount, now, async: false, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <inheritdoc/>
    /// <exception cref="NpgsqlException">PostgreSQL cannot be reached (budgets fail closed).</exception>
    public ValueTask<BudgetLease> ReserveAsync(IReadOnlyList<BudgetPartition> partitions, decimal amount, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        cancellationToken.ThrowIfCancellationRequested();
        return ReserveCoreAsync(partitions, amount, now, async: true, CancellationToken.None);
    }

    /// <inheritdoc/>
    public IReadOnlyList<BudgetThresholdEventArgs> Complete(BudgetLease lease, decimal? actualCost, DateTimeOffset now)
    {
        var keys = KeysOf(lease);
        return CompleteOrDeferAsync(lease, keys, actualCost, now, async: false).GetAwaiter().GetResult();
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<BudgetThresholdEventArgs>> CompleteAsync(BudgetLease lease, decimal? actualCost, DateTimeOffset now)
    {
        var keys = KeysOf(lease);
        return CompleteOrDeferAsync(lease, keys, actualCost, now, async: true);
    }

    /// <inheritdoc/>
    /// <exception cref="NpgsqlException">PostgreSQL cannot be reached.</exception>
    public IReadOnlyList<BudgetStatus> GetStatus(IReadOnlyList<BudgetPartition> partitions, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        return StatusCoreAsync(partitions, now).GetAwaiter().GetResult();
    }

    /// <summary>Writes the settlements kept while PostgreSQL was unreachable; throws when it still cannot be reached.</summary>
    /// <exception cref="NpgsqlException">PostgreSQL cannot be reached.</exception>
    public void Flush() => FlushAsync(async: false).GetAwaiter().GetResult();

    // A budget's identity across instances: its name, else its scope, window and limit (as in the Redis store).
    private static string KeyOf(BudgetPartition partition)
    {
        var budget = partition.Budget;
        var id = budget.Name is { } name
            ? "n:" + name
            : $"{budget.Scope.ToKey()}|{budget.Window}|{budget.Limit.ToString(CultureInfo.InvariantCulture)}";
        return id + "#" + partition.Scope.ToKey();
    }

    private static long WindowOf(Budget budget, DateTimeOffset now)
        => budget.Window == BudgetWindow.Total ? 0 : BudgetWindows.Of(budget.Window, now).Start.ToUnixTimeMilliseconds();

    private static string[] KeysOf(BudgetLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return lease.StoreState as string[]
            ?? throw new ArgumentException("The lease was not made by a PostgreSqlBudgetStore; complete it with the store that reserved it.", nameof(lease));
    }

    private static bool IsRetryable(Exception ex) => ex is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure };

    private async ValueTask<BudgetLease> ReserveCoreAsync(IReadOnlyList<BudgetPartition> partitions, decimal amount, DateTimeOffset now, bool async, CancellationToken cancellationToken)
    {
        var keys = new string[partitions.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = KeyOf(partitions[i]);
        }

        await Ready(async).ConfigureAwait(false);
        if (!_pending.IsEmpty)
        {
            await FlushAsync(async).ConfigureAwait(false);
        }

        var id = Guid.NewGuid().ToString("N");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = async ? await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false) : _dataSource.OpenConnection();
                await using var transaction = async ? await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false) : connection.BeginTransaction();
                var rows = await LockAsync(connection, transaction, keys, now, async).ConfigureAwait(false);
                var events = new List<BudgetThresholdEventArgs>();
                for (var i = 0; i < partitions.Count; i++)
                {
                    var p = partitions[i];
                    var row = rows[keys[i]];
                    Roll(ref row, p.Budget, now);
                    if (row.Spent + row.Reserved + amount > p.Budget.Limit)
                    {
                        throw new BudgetExceededException(p.Budget, p.Scope, row.Spent, row.Reserved, amount, BudgetWindows.Of(p.Budget.Window, now).End);
                    }

                    rows[keys[i]] = row;
                }

                for (var i = 0; i < partitions.Count; i++)
                {
                    var row = rows[keys[i]];
                    row.Reserved += amount;
                    Fire(ref row, partitions[i], events);
                    rows[keys[i]] = row;
                }

                var batch = new NpgsqlBatch(connection, transaction);
                await using (batch.ConfigureAwait(false))
                {
                    batch.BatchCommands.Add(Write(rows));
                    var add = new NpgsqlBatchCommand(_addLease);
                    add.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
                    add.Parameters.Add(new NpgsqlParameter<long> { TypedValue = (now + _lease).ToUnixTimeMilliseconds() });
                    add.Parameters.Add(new NpgsqlParameter<decimal> { TypedValue = amount, NpgsqlDbType = NpgsqlDbType.Numeric });
                    add.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = keys });
                    batch.BatchCommands.Add(add);
                    _ = async ? await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) : batch.ExecuteNonQuery();
                }

                if (async)
                {
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    transaction.Commit();
                }

                return new BudgetLease(id, partitions, amount, events) { StoreState = keys };
            }
            catch (Exception ex) when (attempt < Attempts && IsRetryable(ex))
            {
            }
        }
    }

    private async ValueTask<IReadOnlyList<BudgetThresholdEventArgs>> CompleteOrDeferAsync(BudgetLease lease, string[] keys, decimal? actualCost, DateTimeOffset now, bool async)
    {
        try
        {
            await Ready(async).ConfigureAwait(false);
            return await CompleteCoreAsync(lease, keys, actualCost, now, async).ConfigureAwait(false);
        }
        catch (NpgsqlException ex) when (ex is not PostgresException)
        {
            // The call was made and paid for: keep the settlement and write it before the next reservation.
            _pending.Enqueue(new Pending(lease, keys, actualCost, now));
            return [];
        }
    }

    private async ValueTask<IReadOnlyList<BudgetThresholdEventArgs>> CompleteCoreAsync(BudgetLease lease, string[] keys, decimal? actualCost, DateTimeOffset now, bool async)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = async ? await _dataSource.OpenConnectionAsync().ConfigureAwait(false) : _dataSource.OpenConnection();
                await using var transaction = async ? await connection.BeginTransactionAsync().ConfigureAwait(false) : connection.BeginTransaction();
                var held = false;
                await using (var drop = new NpgsqlCommand(_dropLease, connection, transaction))
                {
                    drop.Parameters.Add(new NpgsqlParameter<string> { TypedValue = lease.Id });
                    held = (async ? await drop.ExecuteScalarAsync().ConfigureAwait(false) : drop.ExecuteScalar()) is not null;
                }

                var rows = await LockAsync(connection, transaction, keys, now, async).ConfigureAwait(false);
                var events = new List<BudgetThresholdEventArgs>();
                for (var i = 0; i < keys.Length; i++)
                {
                    var row = rows[keys[i]];
                    Roll(ref row, lease.Partitions[i].Budget, now);
                    if (held)
                    {
                        row.Reserved -= lease.Amount;
                    }

                    if (actualCost is { } spent)
                    {
                        row.Spent += spent;
                        Fire(ref row, lease.Partitions[i], events);
                    }

                    rows[keys[i]] = row;
                }

                var batch = new NpgsqlBatch(connection, transaction);
                await using (batch.ConfigureAwait(false))
                {
                    batch.BatchCommands.Add(Write(rows));
                    _ = async ? await batch.ExecuteNonQueryAsync().ConfigureAwait(false) : batch.ExecuteNonQuery();
                }

                if (async)
                {
                    await transaction.CommitAsync().ConfigureAwait(false);
                }
                else
                {
                    transaction.Commit();
                }

                return events;
            }
            catch (Exception ex) when (attempt < Attempts && IsRetryable(ex))
            {
            }
        }
    }

    private async ValueTask<IReadOnlyList<BudgetStatus>> StatusCoreAsync(IReadOnlyList<BudgetPartition> partitions, DateTimeOffset now)
    {
        await Ready(async: false).ConfigureAwait(false);
        var keys = new string[partitions.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = KeyOf(partitions[i]);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = _dataSource.OpenConnection();
                await using var transaction = connection.BeginTransaction();
                var rows = await LockAsync(connection, transaction, keys, now, async: false).ConfigureAwait(false);
                transaction.Commit();
                var result = new BudgetStatus[partitions.Count];
                for (var i = 0; i < result.Length; i++)
                {
                    var budget = partitions[i].Budget;
                    var row = rows[keys[i]];
                    Roll(ref row, budget, now);
                    var (start, end) = BudgetWindows.Of(budget.Window, now);
                    result[i] = new BudgetStatus(budget, partitions[i].Scope, row.Spent, row.Reserved, start, end);
                }

                return result;
            }
            catch (Exception ex) when (attempt < Attempts && IsRetryable(ex))
            {
            }
        }
    }

    /// <summary>Makes the rows exist, releases expired leases on them, then locks and reads them in key order.</summary>
    private async ValueTask<Dictionary<string, Row>> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string[] keys, DateTimeOffset now, bool async)
    {
        var sorted = (string[])keys.Clone();
        Array.Sort(sorted, StringComparer.Ordinal);
        var batch = new NpgsqlBatch(connection, transaction);
        await using (batch.ConfigureAwait(false))
        {
            var insert = new NpgsqlBatchCommand(_ensureRows);
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = sorted });
            var reap = new NpgsqlBatchCommand(_reap);
            reap.Parameters.Add(new NpgsqlParameter<long> { TypedValue = now.ToUnixTimeMilliseconds() });
            reap.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = sorted });
            var select = new NpgsqlBatchCommand(_lockRows);
            select.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = sorted });
            batch.BatchCommands.Add(insert);
            batch.BatchCommands.Add(reap);
            batch.BatchCommands.Add(select);
            var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
            await using var reader = async ? await batch.ExecuteReaderAsync().ConfigureAwait(false) : batch.ExecuteReader();
            while (async ? await reader.ReadAsync().ConfigureAwait(false) : reader.Read())
            {
                rows[reader.GetString(0)] = new Row(reader.GetInt64(1), reader.GetDecimal(2), reader.GetDecimal(3), reader.GetInt32(4));
            }

            return rows;
        }
    }

    private NpgsqlBatchCommand Write(Dictionary<string, Row> rows)
    {
        var keys = new string[rows.Count];
        var windows = new long[rows.Count];
        var spent = new decimal[rows.Count];
        var reserved = new decimal[rows.Count];
        var fired = new int[rows.Count];
        var i = 0;
        foreach (var (key, row) in rows)
        {
            (keys[i], windows[i], spent[i], reserved[i], fired[i]) = (key, row.Window, row.Spent, row.Reserved, row.Fired);
            i++;
        }

        var command = new NpgsqlBatchCommand(_write);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = keys });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = windows });
        command.Parameters.Add(new NpgsqlParameter<decimal[]> { TypedValue = spent, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric });
        command.Parameters.Add(new NpgsqlParameter<decimal[]> { TypedValue = reserved, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = fired });
        return command;
    }

    private static void Roll(ref Row row, Budget budget, DateTimeOffset now)
    {
        var window = WindowOf(budget, now);
        if (row.Window != window)
        {
            // A new window: spend starts again; reservations in flight stay held until they complete.
            row = row with { Window = window, Spent = 0m, Fired = 0 };
        }
    }

    private static void Fire(ref Row row, BudgetPartition partition, List<BudgetThresholdEventArgs> events)
    {
        var amounts = BudgetWindows.ThresholdAmounts(partition.Budget);
        var used = row.Spent + row.Reserved;
        for (var i = 0; i < amounts.Length; i++)
        {
            var bit = 1 << i;
            if ((row.Fired & bit) == 0 && used >= amounts[i])
            {
                row.Fired |= bit;
                events.Add(new BudgetThresholdEventArgs(partition.Budget, partition.Scope, partition.Budget.SoftThresholds[i], row.Spent, row.Reserved));
            }
        }
    }

    private async ValueTask FlushAsync(bool async)
    {
        // Taken off the queue before it is sent, so two flushes never send one settlement twice; put back on failure.
        while (_pending.TryDequeue(out var next))
        {
            try
            {
                await CompleteCoreAsync(next.Lease, next.Keys, next.Actual, next.Now, async).ConfigureAwait(false);
            }
            catch (NpgsqlException)
            {
                _pending.Enqueue(next);
                throw;
            }
        }
    }

    private ValueTask Ready(bool async)
    {
        var ready = _schemaReady.EnsureAsync(CancellationToken.None);
        if (!async && !ready.IsCompleted)
        {
            ready.AsTask().GetAwaiter().GetResult();
            return default;
        }

        return ready;
    }

    private record struct Row(long Window, decimal Spent, decimal Reserved, int Fired);

    private sealed record Pending(BudgetLease Lease, string[] Keys, decimal? Actual, DateTimeOffset Now);
}
