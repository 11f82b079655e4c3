using LlmOps.Prompts;
using Microsoft.Data.Sqlite;

namespace LlmOps.Sqlite;

/// <summary>
/// An <see cref="IPromptStore"/> in a SQLite file (WAL mode), the embedded durable default for one machine, with the
/// semantics of the PostgreSQL store: versions are insert-only rows with their content hash (triggers reject UPDATE and
/// DELETE), labels move with a compare-and-swap on the expected version inside SQLite's write lock (two concurrent
/// promotions, from threads or processes: exactly one wins, the other gets <see cref="PromptLabelConflictException"/>),
/// and every move is kept in the label history.
/// </summary>
/// <remarks>
/// SQLite has no notifications: another process's label move reaches this process's <see cref="PromptRegistry"/> when its
/// <see cref="PromptRegistryOptions.RefreshInterval"/> ends (moves made through the registry itself are seen at once).
/// Tables are prefixed <c>llmops_</c>, so the file may be shared with the application's own tables. The schema is
/// created and migrated on first use (<see cref="SqliteSchema.MigrateAsync"/>).
/// </remarks>
public sealed class SqlitePromptStore : IPromptStore
{
    private readonly string _connectionString;
    private readonly StoreInitialization _schemaReady;

    /// <summary>Initializes a new instance of the <see cref="SqlitePromptStore"/> class.</summary>
    /// <param name="connectionString">The SQLite connection string, for example <c>Data Source=llmops.db</c>; the file is created when missing.</param>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty or names an in-memory database.</exception>
    public SqlitePromptStore(string connectionString)
    {
        _connectionString = SqliteConnections.Normalize(connectionString);
        _schemaReady = new StoreInitialization(() => SqliteSchema.MigrateAsync(_connectionString));
    }

    /// <inheritdoc/>
    public async ValueTask<PromptRecord?> LoadAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        await _schemaReady.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await SqliteConnections.OpenAsync(_connectionString, cancellationToken).ConfigureAwait(false);

        // One read transaction: a WAL snapshot, so versions, labels and history agree.
        await using var transaction = connection.BeginTransaction(deferred: true);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT label, version FROM llmops_prompt_labels WHERE name = $name;
            SELECT label, from_version, to_version, moved_by, moved_ticks FROM llmops_prompt_label_moves WHERE name = $name ORDER BY id;
            SELECT version, content_hash, content FROM llmops_prompt_versions WHERE name = $name ORDER BY version;
            """;
        command.Parameters.AddWithValue("$name", name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await PromptRecordReader.ReadAsync(reader, name, static (r, i) => new DateTimeOffset(r.GetInt64(i), TimeSpan.Zero), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<string>> ListNamesAsync(CancellationToken cancellationToken = default)
    {
        await _schemaReady.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await SqliteConnections.OpenAsync(_connectionString, cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();

        // Read in SQL order (the primary key), sorted here: SQLite's BINARY collation orders by UTF-8 bytes, not UTF-16 code units.
        command.CommandText = "SELECT DISTINCT name FROM llmops_prompt_versions";
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
        await _schemaReady.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await SqliteConnections.OpenAsync(_connectionString, cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO llmops_prompt_versions (name, version, content_hash, content)
            SELECT $name, $version, $hash, $content
            WHERE (SELECT coalesce(max(version), 0) FROM llmops_prompt_versions WHERE name = $name) = $version - 1
            """;
        command.Parameters.AddWithValue("$name", template.Name);
        command.Parameters.AddWithValue("$version", template.Version);
        command.Parameters.AddWithValue("$hash", template.ContentHash);
        command.Parameters.AddWithValue("$content", PromptTemplateJson.Write(template));
        int inserted;
        try
        {
            inserted = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == 19) // SQLITE_CONSTRAINT
        {
            throw new InvalidOperationException($"Prompt '{template.Name}' version {template.Version} already exists in SQLite; another writer added it. Reload and register again.", ex);
        }

        if (inserted == 0)
        {
            throw new InvalidOperationException($"Prompt '{template.Name}' cannot add version {template.Version}: it is not the next version in SQLite (another writer may have added one). Reload and register again.");
        }
    }

    /// <inheritdoc/>
    public async ValueTask MoveLabelAsync(PromptLabelMove move, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(move);
        await _schemaReady.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await SqliteConnections.OpenAsync(_connectionString, cancellationToken).ConfigureAwait(false);

        // BEGIN IMMEDIATE takes the write lock first, so the read-compare-write below is atomic across processes.
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT version FROM llmops_prompt_labels WHERE name = $name AND label = $label";
            read.Parameters.AddWithValue("$name", move.PromptName);
            read.Parameters.AddWithValue("$label", move.Label);
            var current = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long v ? (int?)v : null;
            if (current != move.FromVersion)
            {
                throw PromptLabelConflictException.For(move, current);
            }
        }

        await using (var write = connection.CreateCommand())
        {
            write.CommandText = """
                INSERT INTO llmops_prompt_labels (name, label, version) VALUES ($name, $label, $to)
                  ON CONFLICT (name, label) DO UPDATE SET version = excluded.version;
                INSERT INTO llmops_prompt_label_moves (name, label, from_version, to_version, moved_by, moved_ticks)
                  VALUES ($name, $label, $from, $to, $by, $at);
                """;
            write.Parameters.AddWithValue("$name", move.PromptName);
            write.Parameters.AddWithValue("$label", move.Label);
            write.Parameters.AddWithValue("$from", move.FromVersion is int from ? from : DBNull.Value);
            write.Parameters.AddWithValue("$to", move.ToVersion);
            write.Parameters.AddWithValue("$by", (object?)move.MovedBy ?? DBNull.Value);
            write.Parameters.AddWithValue("$at", move.MovedAt.UtcTicks);
            try
            {
                await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == 19 && ex.SqliteExtendedErrorCode == 787) // SQLITE_CONSTRAINT_FOREIGNKEY
            {
                throw new PromptNotFoundException($"Prompt '{move.PromptName}' has no version {move.ToVersion} in SQLite; register it before moving label '{move.Label}' to it.", ex);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
