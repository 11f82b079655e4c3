using Microsoft.Extensions.Options;
using Npgsql;

namespace LlmOps.PostgreSql;

/// <summary>
/// Contacts the server when the options are validated (at startup, with <c>ValidateOnStart</c>), so a database that
/// cannot be reached fails startup with a message naming PostgreSQL and the host, unless
/// <see cref="PostgreSqlStoreOptions.LazyConnect"/> is set.
/// </summary>
internal sealed class PostgreSqlConnectivityValidator : IValidateOptions<PostgreSqlStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgreSqlStoreOptions options)
    {
        if (options.LazyConnect || options.Validate().Count > 0)
        {
            return ValidateOptionsResult.Skip; // lazy by request; or the static checks already report the problem
        }

        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        try
        {
            using var connection = new NpgsqlConnection(options.ConnectionString);
            connection.Open();
            using var command = new NpgsqlCommand("SELECT 1", connection);
            command.ExecuteScalar();
            return ValidateOptionsResult.Success;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return ValidateOptionsResult.Fail(
                $"PostgreSQL at {builder.Host}:{builder.Port} (database '{builder.Database ?? builder.Username ?? "(default)"}') cannot be reached: {ex.Message} " +
                "Start the server or fix PostgreSqlStoreOptions.ConnectionString; set PostgreSqlStoreOptions.LazyConnect = true to connect on first use instead.");
        }
    }
}
