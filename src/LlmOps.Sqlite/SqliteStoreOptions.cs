using LlmOps.DependencyInjection;
using Microsoft.Data.Sqlite;

namespace LlmOps.Sqlite;

/// <summary>
/// Options of the SQLite stores, registered with <c>services.AddLlmOps().AddSqlitePrompts(o =&gt; …)</c> and
/// <c>AddSqliteCostLedger(o =&gt; …)</c> (both share these options, so prompts and ledger live in one file) and
/// validated at startup.
/// </summary>
public sealed class SqliteStoreOptions : IValidatableOptions
{
    /// <summary>Gets or sets the SQLite connection string, for example <c>Data Source=/var/lib/app/llmops.db</c>; the file is created when missing.</summary>
    /// <value>The default value is <see langword="null"/>; required, and it must name a file (not <c>:memory:</c>).</value>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the file is opened on first use. By default it is opened and migrated at
    /// startup (<c>ValidateOnStart</c>), and a file that cannot be opened fails startup with a message naming SQLite and the path.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool LazyConnect { get; set; }

    /// <summary>Checks the options and returns one message per bad option, naming the option, its value and the allowed range.</summary>
    /// <returns>The problems found; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            errors.Add("SqliteStoreOptions.ConnectionString must be set to a SQLite connection string that names a file, such as 'Data Source=llmops.db'; was empty.");
            return errors;
        }

        try
        {
            SqliteConnections.Normalize(ConnectionString);
        }
        catch (ArgumentException ex)
        {
            errors.Add($"SqliteStoreOptions.ConnectionString is not usable: {ex.Message}");
        }

        return errors;
    }
}
