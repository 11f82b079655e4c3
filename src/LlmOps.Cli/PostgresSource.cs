using System.Net.Sockets;
using LlmOps.PostgreSql;
using Npgsql;

namespace LlmOps.Cli;

/// <summary>
/// A <c>postgres:CONNECTIONSTRING</c> source (<c>--store</c>, <c>--ledger</c>): parses the connection string, opens the
/// data source, and checks before any work that the server answers and (for reads) that the LlmOps schema exists, so
/// every failure is one message naming PostgreSQL, the host and the fix. The connection string (its password) is never
/// echoed.
/// </summary>
internal static class PostgresSource
{
    public const string Prefix = "postgres:";

    public const string SchemaOptionName = "--schema";

    public const string Example = "postgres:Host=localhost;Port=5432;Username=USER;Password=PASSWORD;Database=DB";

    /// <summary>Gets the description of the <c>--schema</c> option.</summary>
    public static string SchemaDescription { get; } = $"The schema of the LlmOps tables, for postgres: sources (a lower-case identifier). Default: {PostgreSqlSchema.DefaultSchema}.";

    public static bool Matches(string spec) => spec.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Opens the data source named by <paramref name="spec"/>, creates the store over it, and checks that the server answers.</summary>
    /// <typeparam name="T">The store type.</typeparam>
    /// <param name="spec"><c>postgres:</c> and a connection string.</param>
    /// <param name="schema">The LlmOps schema.</param>
    /// <param name="option">The command-line option that named it, for messages.</param>
    /// <param name="mustExist">Whether the schema must exist already (reads) rather than be created by the store (writes).</param>
    /// <param name="create">Creates the store over the data source and schema (its constructor validates the schema name).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The store, its data source (the caller disposes both) and a description for messages.</returns>
    /// <exception cref="CliException">The connection string or schema name is malformed, the server does not answer, or the schema is missing.</exception>
    public static async Task<(T Store, NpgsqlDataSource DataSource, string Description)> OpenAsync<T>(string spec, string schema, string option, bool mustExist, Func<NpgsqlDataSource, string, T> create, CancellationToken cancellationToken)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(spec[Prefix.Length..]);
        }
        catch (ArgumentException e)
        {
            // Npgsql names the bad keyword; the connection string itself is not repeated (it may hold a password).
            throw new CliException(ExitCodes.UsageError, $"the PostgreSQL connection string in {option} is not valid: {Sentence(e.Message)} Write it as {Example}.");
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new CliException(ExitCodes.UsageError, $"the PostgreSQL connection string in {option} names no Host. Write it as {Example}.");
        }

        string where = $"PostgreSQL at {builder.Host}:{builder.Port} (database '{builder.Database ?? builder.Username ?? "(default)"}')";
        NpgsqlDataSource dataSource = NpgsqlDataSource.Create(builder);
        try
        {
            T store;
            try
            {
                store = create(dataSource, schema);
            }
            catch (ArgumentException e) when (e.ParamName == "schema")
            {
                throw new CliException(ExitCodes.UsageError, $"{SchemaOptionName} '{schema}' is not valid: {e.Message}");
            }

            await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = schema });
            if (mustExist && await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
            {
                throw new CliException(ExitCodes.InputError, $"{where} has no schema '{schema}', so no LlmOps tables. Check {SchemaOptionName} (default {PostgreSqlSchema.DefaultSchema}) and the Database in the connection string; the first write creates the schema (for prompts, 'llmops prompts push').");
            }

            return (store, dataSource, $"{where}, schema '{schema}'");
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            throw new CliException(ExitCodes.InputError, $"cannot connect to {where}: {Sentence(e.Message)} Start the server, or fix Host, Port, Username, Password and Database in the connection string after '{Prefix}' ({option}).");
        }
        catch
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static string Sentence(string message) => message.TrimEnd().TrimEnd('.') + ".";
}
