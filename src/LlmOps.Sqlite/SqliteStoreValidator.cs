using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace LlmOps.Sqlite;

/// <summary>
/// Opens and migrates the file when the options are validated (at startup, with <c>ValidateOnStart</c>), so a file that
/// cannot be opened fails startup with a message naming SQLite and the path, unless <see cref="SqliteStoreOptions.LazyConnect"/> is set.
/// </summary>
internal sealed class SqliteStoreValidator : IValidateOptions<SqliteStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteStoreOptions options)
    {
        if (options.LazyConnect || options.Validate().Count > 0)
        {
            return ValidateOptionsResult.Skip;
        }

        var path = new SqliteConnectionStringBuilder(options.ConnectionString).DataSource;
        try
        {
            SqliteSchema.MigrateAsync(options.ConnectionString!).GetAwaiter().GetResult();
            return ValidateOptionsResult.Success;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return ValidateOptionsResult.Fail(
                $"SQLite file '{Path.GetFullPath(path)}' cannot be opened: {ex.Message} " +
                "Fix SqliteStoreOptions.ConnectionString (the directory must exist and be writable); set SqliteStoreOptions.LazyConnect = true to open it on first use instead.");
        }
    }
}
