using System.Globalization;
using System.Text;
using LlmOps.Metering;
using Microsoft.Data.Sqlite;

namespace LlmOps.Sqlite;

/// <summary>
/// An <see cref="ICostLedger"/> in a SQLite file (WAL mode), with the semantics of the PostgreSQL ledger: insert-only (a
/// trigger rejects UPDATE), one row per attempt enforced by a unique constraint on (request id, attempt) (a repeated
/// write is ignored and returns <see langword="false"/>, also across processes), queries by scope, model and time range
/// answered in SQL, and money summed exactly.
/// </summary>
/// <remarks>
/// SQLite has no decimal type: each cost is stored as its invariant decimal text, and totals are summed as
/// <see langword="decimal"/> by an aggregate function that this store registers on its connections, so the total is
/// exact (SQLite's own <c>sum</c> would go through binary floating point). Timestamps are kept as UTC ticks (exact) and
/// returned in UTC.
/// </remarks>
public sealed class SqliteCostLedger : ICostLedger
{
    private const string Columns = "request_id, attempt, occurred_ticks, tenant, user_id, feature, model, priced_as, tier, input_tokens, cached_input_tokens, output_tokens, gpu_time_ticks, cost, price_source, is_estimated, is_complete, prompt_name, prompt_version";
    private const string Insert = $"INSERT INTO llmops_cost_ledger ({Columns}) VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9, $p10, $p11, $p12, $p13, $p14, $p15, $p16, $p17, $p18) ON CONFLICT (request_id, attempt) DO NOTHING";
    private readonly string _connectionString;
    private readonly StoreInitialization _schemaReady;

    /// <summary>Initializes a new instance of the <see cref="SqliteCostLedger"/> class.</summary>
    /// <param name="connectionString">The SQLite connection string, for example <c>Data Source=llmops.db</c>; the file is created when missing.</param>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty or names an in-memory database.</exception>
    public SqliteCostLedger(string connectionString)
    {
        _connectionString = SqliteConnections.Normalize(connectionString);
        _schemaReady = new StoreInitialization(() => SqliteSchema.MigrateAsync(_connectionString));
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is <see langword="null"/>.</exception>
    public async ValueTask<bool> RecordAsync(CostRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await _schemaReady.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await SqliteConnections.OpenAsync(_connectionString, cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = Insert;
        object?[] values =
        [
            record.RequestId, record.Attempt, record.Timestamp.UtcTicks, record.Scope.Tenant, record.Scope.User, record.Scope.Feature,
            record.Model, record.PricedAs, record.Tier.IsEmpty ? null : record.Tier.Name, record.InputTokens, record.CachedInputTokens,
            record.OutputTokens, record.GpuTime.Ticks, record.Cost.ToString(CultureInfo.InvariantCulture), (int)record.PriceSource,
            record.IsEstimated, record.IsComplete, record.PromptName, record.PromptVersion,
        ];
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters.AddWithValue(string.Create(CultureInfo.InvariantCulture, $"$p{i}"), values[i] ?? DBNull.Value);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is <see langword="null"/>.</exception>
    public async ValueTask<IReadOnlyList<CostRecord>> QueryAsync(CostLedgerQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await _schemaReady.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await SqliteConnections.OpenAsync(_connectionString, cancellationToken).ConfigureAwait(false);
        await using var command = Filtered(connection, $"SELECT {Columns} FROM llmops_cost_ledger", query, " ORDER BY occurred_ticks, seq");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await CostRecordReader.ReadAllAsync(
            reader,
            static (r, i) => new DateTimeOffset(r.GetInt64(i), TimeSpan.Zero),
            static (r, i) => decimal.Parse(r.GetString(i), NumberStyles.Number, CultureInfo.InvariantCulture),
            static (r, i) => r.GetInt32(i),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>One aggregate query; the cost is summed as <see langword="decimal"/> (see the class remarks), so the total is exact.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is <see langword="null"/>.</exception>
    public async ValueTask<CostTotals> GetTotalsAsync(CostLedgerQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await _schemaReady.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await SqliteConnections.OpenAsync(_connectionString, cancellationToken).ConfigureAwait(false);
        connection.CreateAggregate(
            "llmops_decimal_sum",
            0m,
            static (decimal sum, string cost) => sum + decimal.Parse(cost, NumberStyles.Number, CultureInfo.InvariantCulture),
            static sum => sum.ToString(CultureInfo.InvariantCulture),
            isDeterministic: true);
        await using var command = Filtered(
            connection,
            "SELECT count(*), coalesce(sum(input_tokens), 0), coalesce(sum(cached_input_tokens), 0), coalesce(sum(output_tokens), 0), llmops_decimal_sum(cost), coalesce(sum(is_estimated), 0) FROM llmops_cost_ledger",
            query,
            string.Empty);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new CostTotals(
            reader.GetInt64(0),
            reader.GetInt64(1),
            reader.GetInt64(2),
            reader.GetInt64(3),
            decimal.Parse(reader.GetString(4), NumberStyles.Number, CultureInfo.InvariantCulture),
            reader.GetInt64(5));
    }

    /// <summary>Builds the WHERE clause of a query with one parameter per set part (no value is ever spliced into the SQL).</summary>
    private static SqliteCommand Filtered(SqliteConnection connection, string select, CostLedgerQuery query, string suffix)
    {
        var command = connection.CreateCommand();
        var sql = new StringBuilder(select);
        var where = " WHERE ";
        void Add(string column, string name, object value)
        {
            command.Parameters.AddWithValue(name, value);
            sql.Append(where).Append(column).Append(name).Append(name == "$model" ? ")" : string.Empty);
            where = " AND ";
        }

        if (query.Tenant is { } tenant) Add("tenant = ", "$tenant", tenant);
        if (query.User is { } user) Add("user_id = ", "$user", user);
        if (query.Feature is { } feature) Add("feature = ", "$feature", feature);
        if (query.Model is { } model) Add("lower(model) = lower(", "$model", model);
        if (query.From is { } from) Add("occurred_ticks >= ", "$from", from.UtcTicks);
        if (query.To is { } to) Add("occurred_ticks < ", "$to", to.UtcTicks);
        command.CommandText = sql.Append(suffix).ToString();
        return command;
    }
}
