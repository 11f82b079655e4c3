using System.Text;
using LlmOps.Metering;
using Npgsql;
using NpgsqlTypes;

namespace LlmOps.PostgreSql;

/// <summary>
/// An <see cref="ICostLedger"/> in PostgreSQL, shared by every instance of an application: insert-only (a trigger rejects
/// UPDATE), one row per attempt enforced by the primary key on (request id, attempt) (a repeated write is ignored and
/// returns <see langword="false"/>), queries by scope, model and time range answered in SQL, and money kept and summed
/// exactly as <c>numeric</c>.
/// </summary>
/// <remarks>
/// Timestamps are kept to the microsecond (PostgreSQL's precision) and returned in UTC. The schema is created and
/// migrated on first use (<see cref="PostgreSqlSchema.MigrateAsync"/>). Old rows may be deleted for retention.
/// </remarks>
public sealed class PostgreSqlCostLedger : ICostLedger
{
    private const string Columns = "request_id, attempt, occurred_at, tenant, user_id, feature, model, priced_as, tier, input_tokens, cached_input_tokens, output_tokens, gpu_time_ticks, cost, price_source, is_estimated, is_complete, prompt_name, prompt_version";
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _s;
    private readonly StoreInitialization _schemaReady;
    private readonly string _insert;

    /// <summary>Initializes a new instance of the <see cref="PostgreSqlCostLedger"/> class.</summary>
    /// <param name="dataSource">The database; shared, not disposed by the ledger.</param>
    /// <param name="schema">The schema of the tables; <see cref="PostgreSqlSchema.DefaultSchema"/> by default.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not a lower-case identifier of at most 40 characters.</exception>
    public PostgreSqlCostLedger(NpgsqlDataSource dataSource, string schema = PostgreSqlSchema.DefaultSchema)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        PostgreSqlSchema.RequireSchemaName(schema);
        _dataSource = dataSource;
        _s = PostgreSqlSchema.Quote(schema);
        _schemaReady = new StoreInitialization(() => PostgreSqlSchema.MigrateAsync(dataSource, schema));
        _insert = $"INSERT INTO {_s}.cost_ledger ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) ON CONFLICT ON CONSTRAINT cost_ledger_one_row_per_attempt DO NOTHING";
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is <see langword="null"/>.</exception>
    public async ValueTask<bool> RecordAsync(CostRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await _schemaReady.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand(_insert);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter<string> { TypedValue = record.RequestId });
        p.Add(new NpgsqlParameter<int> { TypedValue = record.Attempt });
        p.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = record.Timestamp.ToUniversalTime() });
        p.Add(Text(record.Scope.Tenant));
        p.Add(Text(record.Scope.User));
        p.Add(Text(record.Scope.Feature));
        p.Add(new NpgsqlParameter<string> { TypedValue = record.Model });
        p.Add(Text(record.PricedAs));
        p.Add(Text(record.Tier.IsEmpty ? null : record.Tier.Name));
        p.Add(new NpgsqlParameter<long> { TypedValue = record.InputTokens });
        p.Add(new NpgsqlParameter<long> { TypedValue = record.CachedInputTokens });
        p.Add(new NpgsqlParameter<long> { TypedValue = record.OutputTokens });
        p.Add(new NpgsqlParameter<long> { TypedValue = record.GpuTime.Ticks });
        p.Add(new NpgsqlParameter<decimal> { TypedValue = record.Cost, NpgsqlDbType = NpgsqlDbType.Numeric });
        p.Add(new NpgsqlParameter<short> { TypedValue = (short)record.PriceSource });
        p.Add(new NpgsqlParameter<bool> { TypedValue = record.IsEstimated });
        p.Add(new NpgsqlParameter<bool> { TypedValue = record.IsComplete });
        p.Add(Text(record.PromptName));
        p.Add(Text(record.PromptVersion));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is <see langword="null"/>.</exception>
    public async ValueTask<IReadOnlyList<CostRecord>> QueryAsync(CostLedgerQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await _schemaReady.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Filtered($"SELECT {Columns} FROM {_s}.cost_ledger", query, " ORDER BY occurred_at, seq");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await CostRecordReader.ReadAllAsync(
            reader,
            static (r, i) => r.GetFieldValue<DateTimeOffset>(i),
            static (r, i) => r.GetDecimal(i),
            static (r, i) => r.GetInt16(i),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>One aggregate query; the cost is summed as <c>numeric</c>, so the total is exact.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is <see langword="null"/>.</exception>
    public async ValueTask<CostTotals> GetTotalsAsync(CostLedgerQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await _schemaReady.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Filtered(
            $"SELECT count(*), coalesce(sum(input_tokens), 0), coalesce(sum(cached_input_tokens), 0), coalesce(sum(output_tokens), 0), coalesce(sum(cost), 0), count(*) FILTER (WHERE is_estimated) FROM {_s}.cost_ledger",
            query,
            string.Empty);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new CostTotals(
            reader.GetInt64(0),
            (long)reader.GetDecimal(1),
            (long)reader.GetDecimal(2),
            (long)reader.GetDecimal(3),
            reader.GetDecimal(4),
            reader.GetInt64(5));
    }

    private static NpgsqlParameter Text(string? value)
        => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    /// <summary>Builds the WHERE clause of a query with one parameter per set part (no value is ever spliced into the SQL).</summary>
    private NpgsqlCommand Filtered(string select, CostLedgerQuery query, string suffix)
    {
        var command = _dataSource.CreateCommand();
        var sql = new StringBuilder(select);
        var where = " WHERE ";
        void Add(string condition, NpgsqlParameter parameter)
        {
            command.Parameters.Add(parameter);
            sql.Append(where).Append(condition.Replace("@", "$" + command.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
            where = " AND ";
        }

        if (query.Tenant is { } tenant) Add("tenant = @", new NpgsqlParameter<string> { TypedValue = tenant });
        if (query.User is { } user) Add("user_id = @", new NpgsqlParameter<string> { TypedValue = user });
        if (query.Feature is { } feature) Add("feature = @", new NpgsqlParameter<string> { TypedValue = feature });
        if (query.Model is { } model) Add("lower(model) = lower(@)", new NpgsqlParameter<string> { TypedValue = model });
        if (query.From is { } from) Add("occurred_at >= @", new NpgsqlParameter<DateTimeOffset> { TypedValue = from.ToUniversalTime() });
        if (query.To is { } to) Add("occurred_at < @", new NpgsqlParameter<DateTimeOffset> { TypedValue = to.ToUniversalTime() });
        command.CommandText = sql.Append(suffix).ToString();
        return command;
    }
}
