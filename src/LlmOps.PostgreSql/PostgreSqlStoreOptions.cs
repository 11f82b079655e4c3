using LlmOps.DependencyInjection;
using Npgsql;

namespace LlmOps.PostgreSql;

/// <summary>
/// Options of the PostgreSQL stores, registered with <c>services.AddLlmOps().AddPostgreSqlPrompts(o =&gt; …)</c> and
/// <c>AddPostgreSqlCostLedger(o =&gt; …)</c> (both share these options) and validated at startup: where the database is
/// and which schema holds the tables.
/// </summary>
public sealed class PostgreSqlStoreOptions : IValidatableOptions
{
    /// <summary>Gets or sets the Npgsql connection string, for example <c>Host=db;Database=app;Username=app;Password=…</c>.</summary>
    /// <value>The default value is <see langword="null"/>; required.</value>
    public string? ConnectionString { get; set; }

    /// <summary>Gets or sets the schema that holds the LlmOps tables; created and migrated by the package.</summary>
    /// <value>The default value is <c>llmops</c>. A lower-case identifier: a letter or <c>_</c>, then letters, digits or <c>_</c>, at most 40 characters.</value>
    public string Schema { get; set; } = PostgreSqlSchema.DefaultSchema;

    /// <summary>
    /// Gets or sets a value indicating whether the first connection waits for first use. By default the server is
    /// contacted at startup (<c>ValidateOnStart</c>), and a server that cannot be reached fails startup with a message
    /// naming PostgreSQL and the host.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool LazyConnect { get; set; }

    /// <summary>
    /// Gets or sets how long a budget reservation is held when its instance never settles it (a crash), for
    /// <c>AddPostgreSqlBudgets()</c>. Set it above the longest provider call you make.
    /// </summary>
    /// <value>The default value is 10 minutes.</value>
    public TimeSpan BudgetLease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Checks the options and returns one message per bad option, naming the option, its value and the allowed range.</summary>
    /// <returns>The problems found; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            errors.Add("PostgreSqlStoreOptions.ConnectionString must be set to an Npgsql connection string such as 'Host=localhost;Database=app;Username=app'; was empty.");
        }
        else
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(ConnectionString);
            }
            catch (ArgumentException ex)
            {
                errors.Add($"PostgreSqlStoreOptions.ConnectionString is not a valid Npgsql connection string: {ex.Message}");
            }
        }

        if (!PostgreSqlSchema.IsValidSchemaName(Schema))
        {
            errors.Add($"PostgreSqlStoreOptions.Schema must be a lower-case identifier (a letter or '_', then letters, digits or '_', at most 40 characters); was '{Schema}'.");
        }

        if (BudgetLease <= TimeSpan.Zero || BudgetLease > TimeSpan.FromDays(7))
        {
            errors.Add($"PostgreSqlStoreOptions.BudgetLease must be in (0, 7 days]; was {BudgetLease}.");
        }

        return errors;
    }
}
