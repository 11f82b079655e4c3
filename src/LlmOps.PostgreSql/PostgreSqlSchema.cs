using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace LlmOps.PostgreSql;

/// <summary>
/// Creates and migrates the LlmOps tables in a PostgreSQL schema. Migrations are numbered and recorded in
/// <c>&lt;schema&gt;.schema_migrations</c>; each runs once, in order, in one transaction with the others, under a
/// transaction-scoped advisory lock, so many instances may start at once: one migrates, the others wait and find
/// nothing left to do. The stores call <see cref="MigrateAsync"/> themselves on first use.
/// </summary>
public static class PostgreSqlSchema
{
    /// <summary>The default schema name: <c>llmops</c>.</summary>
    public const string DefaultSchema = "llmops";

    /// <summary>Gets the number of the newest migration this package knows.</summary>
    public static int LatestVersion => Migrations[^1].Version;

    private static readonly (int Version, string Description, Func<string, string> Sql)[] Migrations =
    [
        (1, "prompt versions, labels and label history", static s => $"""
            CREATE FUNCTION {s}.reject_change() RETURNS trigger LANGUAGE plpgsql AS $f$
            BEGIN
              RAISE EXCEPTION 'LlmOps: table %.% is insert-only; % is not allowed', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP;
            END $f$;
            CREATE TABLE {s}.prompt_versions (
              name text NOT NULL,
              version integer NOT NULL CHECK (version > 0),
              content_hash text NOT NULL,
              content json NOT NULL,
              created_at timestamptz NOT NULL DEFAULT now(),
              PRIMARY KEY (name, version));
            CREATE TABLE {s}.prompt_labels (
              name text NOT NULL,
              label text NOT NULL,
              version integer NOT NULL,
              PRIMARY KEY (name, label),
              FOREIGN KEY (name, version) REFERENCES {s}.prompt_versions (name, version));
            CREATE TABLE {s}.prompt_label_moves (
              id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
              name text NOT NULL,
              label text NOT NULL,
              from_version integer,
              to_version integer NOT NULL,
              moved_by text,
              moved_at timestamptz NOT NULL);
            CREATE INDEX prompt_label_moves_name ON {s}.prompt_label_moves (name, id);
            CREATE TRIGGER prompt_versions_insert_only BEFORE UPDATE OR DELETE ON {s}.prompt_versions FOR EACH ROW EXECUTE FUNCTION {s}.reject_change();
            CREATE TRIGGER prompt_label_moves_insert_only BEFORE UPDATE OR DELETE ON {s}.prompt_label_moves FOR EACH ROW EXECUTE FUNCTION {s}.reject_change();
            """),
        (2, "cost ledger", static s => $"""
            CREATE TABLE {s}.cost_ledger (
              seq bigint GENERATED ALWAYS AS IDENTITY,
              request_id text NOT NULL,
              attempt integer NOT NULL,
              occurred_at timestamptz NOT NULL,
              tenant text,
              user_id text,
              feature text,
              model text NOT NULL,
              priced_as text,
              tier text,
              input_tokens bigint NOT NULL,
              cached_input_tokens bigint NOT NULL,
              output_tokens bigint NOT NULL,
              gpu_time_ticks bigint NOT NULL,
              cost numeric NOT NULL,
              price_source smallint NOT NULL,
              is_estimated boolean NOT NULL,
              is_complete boolean NOT NULL,
              prompt_name text,
              prompt_version text,
              recorded_at timestamptz NOT NULL DEFAULT now(),
              CONSTRAINT cost_ledger_one_row_per_attempt PRIMARY KEY (request_id, attempt));
            CREATE INDEX cost_ledger_time ON {s}.cost_ledger (occurred_at, seq);
            CREATE INDEX cost_ledger_scope_time ON {s}.cost_ledger (tenant, user_id, occurred_at);
            CREATE TRIGGER cost_ledger_no_update BEFORE UPDATE ON {s}.cost_ledger FOR EACH ROW EXECUTE FUNCTION {s}.reject_change();
            """),
        (3, "budget partitions and leases", static s => $"""
            CREATE TABLE {s}.budget_partitions (
              key text PRIMARY KEY,
              window_start bigint NOT NULL DEFAULT 0,
              spent numeric NOT NULL DEFAULT 0,
              reserved numeric NOT NULL DEFAULT 0,
              fired integer NOT NULL DEFAULT 0);
            CREATE TABLE {s}.budget_leases (
              id text PRIMARY KEY,
              expires_at bigint NOT NULL,
              amount numeric NOT NULL,
              keys text[] NOT NULL);
            CREATE INDEX budget_leases_keys ON {s}.budget_leases USING gin (keys);
            """),
    ];

    /// <summary>Applies the migrations that the schema lacks (creating the schema when missing).</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="schema">The schema; <see cref="DefaultSchema"/> by default.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number of migrations applied now (0 when the schema was current).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not a lower-case identifier of at most 40 characters.</exception>
    /// <exception cref="InvalidOperationException">The schema was migrated by a newer package (it has migrations this one does not know).</exception>
    public static async Task<int> MigrateAsync(NpgsqlDataSource dataSource, string schema = DefaultSchema, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        RequireSchemaName(schema);
        var s = Quote(schema);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter<long> { TypedValue = LockKey(schema) });
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, transaction, $"""
            CREATE SCHEMA IF NOT EXISTS {s};
            CREATE TABLE IF NOT EXISTS {s}.schema_migrations (
              version integer PRIMARY KEY,
              description text NOT NULL,
              applied_at timestamptz NOT NULL DEFAULT now());
            """, cancellationToken).ConfigureAwait(false);

        var applied = new HashSet<int>();
        await using (var read = new NpgsqlCommand($"SELECT version FROM {s}.schema_migrations", connection, transaction))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) applied.Add(reader.GetInt32(0));
        }

        foreach (var version in applied)
        {
            if (version > LatestVersion)
            {
                throw new InvalidOperationException($"PostgreSQL schema '{schema}' has LlmOps migration {version}, but this LlmOps.PostgreSql knows migrations up to {LatestVersion}; a newer release migrated it. Upgrade LlmOps.PostgreSql on this instance.");
            }
        }

        var count = 0;
        foreach (var (version, description, sql) in Migrations)
        {
            if (applied.Contains(version)) continue;
            await ExecuteAsync(connection, transaction, sql(s), cancellationToken).ConfigureAwait(false);
            await using var record = new NpgsqlCommand($"INSERT INTO {s}.schema_migrations (version, description) VALUES ($1, $2)", connection, transaction);
            record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
            record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = description });
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            count++;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }

    internal static bool IsValidSchemaName(string? schema)
    {
        if (string.IsNullOrEmpty(schema) || schema.Length > 40 || !(char.IsAsciiLetterLower(schema[0]) || schema[0] == '_')) return false;
        foreach (var c in schema)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')) return false;
        }

        return true;
    }

    internal static void RequireSchemaName(string schema)
    {
        if (!IsValidSchemaName(schema))
        {
            throw new ArgumentException($"PostgreSQL schema name '{schema}' is not a lower-case identifier (a letter or '_', then letters, digits or '_', at most 40 characters).", nameof(schema));
        }
    }

    /// <summary>Quotes a validated schema name as an identifier.</summary>
    internal static string Quote(string schema) => $"\"{schema}\"";

    /// <summary>The LISTEN/NOTIFY channel of a schema's prompt changes.</summary>
    internal static string PromptChannel(string schema) => $"\"{schema}_prompts\"";

    /// <summary>A stable 64-bit advisory-lock key per schema (the first 8 bytes of a SHA-256), the same on every instance.</summary>
    private static long LockKey(string schema)
        => BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes("llmops-migrations:" + schema)));

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
