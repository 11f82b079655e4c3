using Microsoft.Data.Sqlite;

namespace LlmOps.Sqlite;

/// <summary>
/// Creates and migrates the LlmOps tables (prefixed <c>llmops_</c>) in a SQLite file and puts it in WAL mode.
/// Migrations are numbered and recorded in <c>llmops_schema_migrations</c>; each runs once, in order, inside one
/// <c>BEGIN IMMEDIATE</c> transaction (SQLite's write lock), so several processes may start at once: one migrates, the
/// others wait and find nothing left to do. The stores call <see cref="MigrateAsync"/> themselves on first use.
/// </summary>
public static class SqliteSchema
{
    /// <summary>Gets the number of the newest migration this package knows.</summary>
    public static int LatestVersion => Migrations[^1].Version;

    private static readonly (int Version, string Description, string Sql)[] Migrations =
    [
        (1, "prompt versions, labels and label history", """
            CREATE TABLE llmops_prompt_versions (
              name TEXT NOT NULL,
              version INTEGER NOT NULL CHECK (version > 0),
              content_hash TEXT NOT NULL,
              content TEXT NOT NULL,
              created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
              PRIMARY KEY (name, version)) WITHOUT ROWID;
            CREATE TABLE llmops_prompt_labels (
              name TEXT NOT NULL,
              label TEXT NOT NULL,
              version INTEGER NOT NULL,
              PRIMARY KEY (name, label),
              FOREIGN KEY (name, version) REFERENCES llmops_prompt_versions (name, version)) WITHOUT ROWID;
            CREATE TABLE llmops_prompt_label_moves (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              name TEXT NOT NULL,
              label TEXT NOT NULL,
              from_version INTEGER,
              to_version INTEGER NOT NULL,
              moved_by TEXT,
              moved_ticks INTEGER NOT NULL);
            CREATE INDEX llmops_prompt_label_moves_name ON llmops_prompt_label_moves (name, id);
            CREATE TRIGGER llmops_prompt_versions_no_update BEFORE UPDATE ON llmops_prompt_versions
              BEGIN SELECT RAISE(ABORT, 'LlmOps: table llmops_prompt_versions is insert-only; UPDATE is not allowed'); END;
            CREATE TRIGGER llmops_prompt_versions_no_delete BEFORE DELETE ON llmops_prompt_versions
              BEGIN SELECT RAISE(ABORT, 'LlmOps: table llmops_prompt_versions is insert-only; DELETE is not allowed'); END;
            CREATE TRIGGER llmops_prompt_label_moves_no_update BEFORE UPDATE ON llmops_prompt_label_moves
              BEGIN SELECT RAISE(ABORT, 'LlmOps: table llmops_prompt_label_moves is insert-only; UPDATE is not allowed'); END;
            CREATE TRIGGER llmops_prompt_label_moves_no_delete BEFORE DELETE ON llmops_prompt_label_moves
              BEGIN SELECT RAISE(ABORT, 'LlmOps: table llmops_prompt_label_moves is insert-only; DELETE is not allowed'); END;
            """),
        (2, "cost ledger", """
            CREATE TABLE llmops_cost_ledger (
              seq INTEGER PRIMARY KEY AUTOINCREMENT,
              request_id TEXT NOT NULL,
              attempt INTEGER NOT NULL,
              occurred_ticks INTEGER NOT NULL,
              tenant TEXT,
              user_id TEXT,
              feature TEXT,
              model TEXT NOT NULL,
              priced_as TEXT,
              tier TEXT,
              input_tokens INTEGER NOT NULL,
              cached_input_tokens INTEGER NOT NULL,
              output_tokens INTEGER NOT NULL,
              gpu_time_ticks INTEGER NOT NULL,
              cost TEXT NOT NULL,
              price_source INTEGER NOT NULL,
              is_estimated INTEGER NOT NULL,
              is_complete INTEGER NOT NULL,
              prompt_name TEXT,
              prompt_version TEXT,
              CONSTRAINT llmops_cost_ledger_one_row_per_attempt UNIQUE (request_id, attempt));
            CREATE INDEX llmops_cost_ledger_time ON llmops_cost_ledger (occurred_ticks, seq);
            CREATE INDEX llmops_cost_ledger_scope_time ON llmops_cost_ledger (tenant, user_id, occurred_ticks);
            CREATE TRIGGER llmops_cost_ledger_no_update BEFORE UPDATE ON llmops_cost_ledger
              BEGIN SELECT RAISE(ABORT, 'LlmOps: table llmops_cost_ledger is insert-only; UPDATE is not allowed'); END;
            """),
    ];

    /// <summary>Puts the file in WAL mode and applies the migrations it lacks (creating the file when missing).</summary>
    /// <param name="connectionString">The SQLite connection string, for example <c>Data Source=llmops.db</c>.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number of migrations applied now (0 when the file was current).</returns>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty or names an in-memory database.</exception>
    /// <exception cref="InvalidOperationException">The file was migrated by a newer package (it has migrations this one does not know).</exception>
    public static async Task<int> MigrateAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var normalized = SqliteConnections.Normalize(connectionString);
        await using var connection = await SqliteConnections.OpenAsync(normalized, cancellationToken).ConfigureAwait(false);
        await using (var wal = connection.CreateCommand())
        {
            // Persistent in the file: readers never block the writer, and one writer at a time across processes.
            wal.CommandText = "PRAGMA journal_mode=WAL";
            await wal.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var transaction = connection.BeginTransaction(deferred: false);
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE IF NOT EXISTS llmops_schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))";
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var applied = new HashSet<int>();
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT version FROM llmops_schema_migrations";
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) applied.Add(reader.GetInt32(0));
        }

        foreach (var version in applied)
        {
            if (version > LatestVersion)
            {
                throw new InvalidOperationException($"SQLite file '{connection.DataSource}' has LlmOps migration {version}, but this LlmOps.Sqlite knows migrations up to {LatestVersion}; a newer release migrated it. Upgrade LlmOps.Sqlite in this application.");
            }
        }

        var count = 0;
        foreach (var (version, description, sql) in Migrations)
        {
            if (applied.Contains(version)) continue;
            await using var command = connection.CreateCommand();
            command.CommandText = sql + "; INSERT INTO llmops_schema_migrations (version, description) VALUES ($version, $description)";
            command.Parameters.AddWithValue("$version", version);
            command.Parameters.AddWithValue("$description", description);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            count++;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }
}
