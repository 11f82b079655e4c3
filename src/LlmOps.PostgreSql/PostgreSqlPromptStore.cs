using LlmOps.Prompts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace LlmOps.PostgreSql;

/// <summary>
/// An <see cref="IPromptStore"/> in PostgreSQL, shared by every instance of an application: versions are insert-only
/// rows with their content hash (a trigger rejects UPDATE and DELETE), labels move with a compare-and-swap on the
/// expected version (two concurrent promotions: exactly one wins, the other gets
/// <see cref="PromptLabelConflictException"/>), every move is kept in the label history, and each change is announced
/// with <c>NOTIFY</c>, which this store relays as <see cref="PromptChanged"/> so every instance's
/// <see cref="PromptRegistry"/> drops its cached copy at once.
/// </summary>
/// <remarks>
/// The schema is created and migrated on first use (<see cref="PostgreSqlSchema.MigrateAsync"/>). Timestamps are kept
/// to the microsecond, PostgreSQL's precision. The listener holds one connection of the data source while anyone
/// subscribes to <see cref="PromptChanged"/>; when it loses the connection it reconnects and then raises the event with
/// no prompt name, because notifications sent meanwhile are lost.
/// </remarks>
public sealed class PostgreSqlPromptStore : IPromptStore, IPromptChangeSource, IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(5);
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;
    private readonly string _s;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly StoreInitialization _schemaReady;
    private EventHandler<PromptChangedEventArgs>? _changed;
    private TaskCompletionSource? _listening;
    private Task? _listener;

    /// <summary>Initializes a new instance of the <see cref="PostgreSqlPromptStore"/> class.</summary>
    /// <param name="dataSource">The database; shared, not disposed by the store.</param>
    /// <param name="schema">The schema of the tables; <see cref="PostgreSqlSchema.DefaultSchema"/> by default.</param>
    /// <param name="logger">Logs listener outages (EventIds 1950, 1951); none when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for reconnect delays; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not a lower-case identifier of at most 40 characters.</exception>
    public PostgreSqlPromptStore(NpgsqlDataSource dataSource, string schema = PostgreSqlSchema.DefaultSchema, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        PostgreSqlSchema.RequireSchemaName(schema);
        _dataSource = dataSource;
        _schema = schema;
        _s = PostgreSqlSchema.Quote(schema);
        _schemaReady = new StoreInitialization(() => PostgreSqlSchema.MigrateAsync(dataSource, schema));
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    /// <remarks>The first subscriber starts the listener (one connection with <c>LISTEN</c>); loads wait until it listens, so no change is missed.</remarks>
    public event EventHandler<PromptChangedEventArgs>? PromptChanged
    {
        add
        {
            lock (_gate)
            {
                _changed += value;
                if (_listener is null && !_stop.IsCancellationRequested)
                {
                    _listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _listener = Task.Run(() => ListenAsync(_listening, _stop.Token));
                }
            }
        }

        remove
        {
            lock (_gate)
            {
                _changed -= value;
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask<PromptRecord?> LoadAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        await ReadyAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // Labels and history first, versions last: versions are insert-only and a label only points at a stored
        // version, so every version a label names is in the later read.
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                Command($"SELECT label, version FROM {_s}.prompt_labels WHERE name = $1", name),
                Command($"SELECT label, from_version, to_version, moved_by, moved_at FROM {_s}.prompt_label_moves WHERE name = $1 ORDER BY id", name),
                Command($"SELECT version, content_hash, content FROM {_s}.prompt_versions WHERE name = $1 ORDER BY version", name),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await PromptRecordReader.ReadAsync(reader, name, static (r, i) => r.GetFieldValue<DateTimeOffset>(i), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<string>> ListNamesAsync(CancellationToken cancellationToken = default)
    {
        await ReadyAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // Sorted here, not with ORDER BY: the database's collation need not be ordinal.
        await using var command = new NpgsqlCommand($"SELECT DISTINCT name FROM {_s}.prompt_versions", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var names = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            names.Add(reader.GetString(0));
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The version is not the next one (it exists already, or a number would be skipped).</exception>
    public async ValueTask AddVersionAsync(PromptTemplate template, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(template);
        await ReadyAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // Inserted only when it is the next number; the notification rides on the same statement, so it is sent (on
        // commit) exactly when a row was added.
        await using var command = new NpgsqlCommand(
            $"""
            WITH added AS (
              INSERT INTO {_s}.prompt_versions (name, version, content_hash, content)
              SELECT $1, $2, $3, $4::json
              WHERE (SELECT coalesce(max(version), 0) FROM {_s}.prompt_versions WHERE name = $1) = $2 - 1
              RETURNING name)
            SELECT pg_notify('{_schema}_prompts', CASE WHEN octet_length(name) < 7900 THEN name ELSE '' END) FROM added
            """,
            connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = template.Name });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = template.Version });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = template.ContentHash });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = PromptTemplateJson.Write(template) });
        var inserted = 0;
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) inserted++;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new InvalidOperationException($"Prompt '{template.Name}' version {template.Version} already exists in PostgreSQL; another writer added it. Reload and register again.", ex);
        }

        if (inserted == 0)
        {
            throw new InvalidOperationException($"Prompt '{template.Name}' cannot add version {template.Version}: it is not the next version in PostgreSQL (another writer may have added one). Reload and register again.");
        }
    }

    /// <inheritdoc/>
    public async ValueTask MoveLabelAsync(PromptLabelMove move, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(move);
        await ReadyAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // The compare-and-swap: a row lock makes a concurrent mover wait, then re-check the expected version and miss.
        var swap = move.FromVersion is null
            ? $"INSERT INTO {_s}.prompt_labels (name, label, version) VALUES ($1, $2, $3) ON CONFLICT (name, label) DO NOTHING"
            : $"UPDATE {_s}.prompt_labels SET version = $3 WHERE name = $1 AND label = $2 AND version = $4";
        await using (var command = new NpgsqlCommand(swap, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = move.PromptName });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = move.Label });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = move.ToVersion });
            if (move.FromVersion is int from) command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = from });
            int swapped;
            try
            {
                swapped = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
            {
                throw new PromptNotFoundException($"Prompt '{move.PromptName}' has no version {move.ToVersion} in PostgreSQL; register it before moving label '{move.Label}' to it.", ex);
            }

            if (swapped == 0)
            {
                await using var current = new NpgsqlCommand($"SELECT version FROM {_s}.prompt_labels WHERE name = $1 AND label = $2", connection, transaction);
                current.Parameters.Add(new NpgsqlParameter<string> { TypedValue = move.PromptName });
                current.Parameters.Add(new NpgsqlParameter<string> { TypedValue = move.Label });
                var actual = await current.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                throw PromptLabelConflictException.For(move, actual is int v ? v : null);
            }
        }

        await using (var history = new NpgsqlBatch(connection, transaction))
        {
            var insert = new NpgsqlBatchCommand($"INSERT INTO {_s}.prompt_label_moves (name, label, from_version, to_version, moved_by, moved_at) VALUES ($1, $2, $3, $4, $5, $6)");
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = move.PromptName });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = move.Label });
            insert.Parameters.Add(new NpgsqlParameter { Value = move.FromVersion is int f ? f : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = move.ToVersion });
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)move.MovedBy ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = move.MovedAt.ToUniversalTime() });
            history.BatchCommands.Add(insert);
            history.BatchCommands.Add(Command($"SELECT pg_notify('{_schema}_prompts', CASE WHEN octet_length($1) < 7900 THEN $1 ELSE '' END)", move.PromptName));
            await history.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        // NOTIFY is delivered on commit, so a listener never hears of a move that did not happen.
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the listener. The data source is not disposed (it is shared).</summary>
    /// <returns>A task that completes when the listener has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        Task? listener;
        lock (_gate)
        {
            if (_stop.IsCancellationRequested) return;
            _stop.Cancel();
            listener = _listener;
        }

        if (listener is not null)
        {
            await listener.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    /// <summary>Stops the listener and waits for it. The data source is not disposed (it is shared).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static NpgsqlBatchCommand Command(string sql, string name)
        => new(sql) { Parameters = { new NpgsqlParameter<string> { TypedValue = name } } };

    private async ValueTask ReadyAsync(CancellationToken cancellationToken)
    {
        await _schemaReady.EnsureAsync(cancellationToken).ConfigureAwait(false);
        if (_listening is { Task.IsCompleted: false } listening)
        {
            await listening.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ListenAsync(TaskCompletionSource listening, CancellationToken cancellationToken)
    {
        var missed = false;
        var delay = TimeSpan.FromMilliseconds(100);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _schemaReady.EnsureAsync(cancellationToken).ConfigureAwait(false);
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                connection.Notification += (_, e) => Raise(e.Payload.Length == 0 ? null : e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgreSqlSchema.PromptChannel(_schema)}", connection))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                listening.TrySetResult();
                delay = TimeSpan.FromMilliseconds(100);
                if (missed)
                {
                    missed = false;
                    PostgreSqlLog.ListenerRestored(_logger);
                    Raise(null);
                }

                while (true)
                {
                    await connection.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException or TimeoutException)
            {
                PostgreSqlLog.ListenerLost(_logger, ex.Message, ex);
                missed = true;
                listening.TrySetResult(); // loads proceed (and fail or succeed on their own); the flush follows the reconnect
                try
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxReconnectDelay.Ticks));
            }
        }
    }

    private void Raise(string? promptName) => _changed?.Invoke(this, new PromptChangedEventArgs(promptName));
}
