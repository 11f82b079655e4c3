using Microsoft.Data.Sqlite;

namespace LlmOps.Sqlite;

/// <summary>Opens connections the way every LlmOps SQLite store needs them: foreign keys on, WAL-friendly sync level.</summary>
internal static class SqliteConnections
{
    /// <summary>Checks a connection string and turns foreign keys on; rejects in-memory databases (each connection would get its own).</summary>
    public static string Normalize(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.Mode == SqliteOpenMode.Memory || string.Equals(builder.DataSource, ":memory:", StringComparison.Ordinal))
        {
            throw new ArgumentException($"SQLite connection string '{connectionString}' does not name a file; give one such as 'Data Source=llmops.db' (for an in-process store use InMemoryPromptStore or InMemoryCostLedger).", nameof(connectionString));
        }

        builder.ForeignKeys = true;
        return builder.ToString();
    }

    /// <summary>Opens a (pooled) connection. synchronous=NORMAL is the WAL setting that survives an application crash; a power cut may lose the last commits.</summary>
    public static async Task<SqliteConnection> OpenAsync(string normalizedConnectionString, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(normalizedConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA synchronous=NORMAL";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
