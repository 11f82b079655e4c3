using LlmOps.DependencyInjection;
using LlmOps.Metering;
using LlmOps.PostgreSql;
using LlmOps.Prompts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmOps;

/// <summary>Puts the LlmOps prompt store, cost ledger and budgets in PostgreSQL, shared by every instance of an application.</summary>
public static class PostgreSqlLlmOpsBuilderExtensions
{
    /// <summary>
    /// Registers a <see cref="PostgreSqlPromptStore"/> as the <see cref="IPromptStore"/> (replacing any other, whether
    /// registered before or after), so <c>AddPromptRegistry()</c> serves prompts from PostgreSQL and hears label moves
    /// made by other instances at once. Options are validated at startup, and the server is contacted then unless
    /// <see cref="PostgreSqlStoreOptions.LazyConnect"/> is set; the schema is migrated on first use.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the connection string and schema (shared with <see cref="AddPostgreSqlCostLedger"/>).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">At startup: an option is invalid, or the server cannot be reached (the message names the host).</exception>
    public static LlmOpsBuilder AddPostgreSqlPrompts(this LlmOpsBuilder builder, Action<PostgreSqlStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddOptions(builder.Services, configure);
        builder.Services.Replace(ServiceDescriptor.Singleton<IPromptStore>(static sp =>
        {
            var database = sp.GetRequiredService<PostgreSqlStoreDatabase>();
            return new PostgreSqlPromptStore(database.DataSource, database.Schema, sp.GetService<ILoggerFactory>()?.CreateLogger<PostgreSqlPromptStore>(), sp.GetService<TimeProvider>());
        }));
        return builder;
    }

    /// <summary>
    /// Registers a <see cref="PostgreSqlCostLedger"/> as the <see cref="ICostLedger"/> (replacing any other, whether
    /// registered before or after), so <c>AddCostMetering()</c> records every attempt in PostgreSQL. Options are
    /// validated at startup, and the server is contacted then unless <see cref="PostgreSqlStoreOptions.LazyConnect"/> is
    /// set; the schema is migrated on first use.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the connection string and schema (shared with <see cref="AddPostgreSqlPrompts"/>).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">At startup: an option is invalid, or the server cannot be reached (the message names the host).</exception>
    public static LlmOpsBuilder AddPostgreSqlCostLedger(this LlmOpsBuilder builder, Action<PostgreSqlStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddOptions(builder.Services, configure);
        builder.Services.Replace(ServiceDescriptor.Singleton<ICostLedger>(static sp =>
        {
            var database = sp.GetRequiredService<PostgreSqlStoreDatabase>();
            return new PostgreSqlCostLedger(database.DataSource, database.Schema);
        }));
        return builder;
    }

    /// <summary>
    /// Registers a <see cref="PostgreSqlBudgetStore"/> as the <see cref="IBudgetStore"/> (replacing any other, whether
    /// registered before or after), so the budgets of <c>AddCostMetering()</c> are shared by every instance: a
    /// reservation locks the budget's rows in one transaction, so instances together never admit more than the budget.
    /// Options are validated at startup, and the server is contacted then unless
    /// <see cref="PostgreSqlStoreOptions.LazyConnect"/> is set; the schema is migrated on first use.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the connection string, schema and <see cref="PostgreSqlStoreOptions.BudgetLease"/> (shared with the other PostgreSQL stores).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">At startup: an option is invalid, or the server cannot be reached (the message names the host).</exception>
    public static LlmOpsBuilder AddPostgreSqlBudgets(this LlmOpsBuilder builder, Action<PostgreSqlStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddOptions(builder.Services, configure);
        builder.Services.Replace(ServiceDescriptor.Singleton<IBudgetStore>(static sp =>
        {
            var database = sp.GetRequiredService<PostgreSqlStoreDatabase>();
            var lease = sp.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value.BudgetLease;
            return new PostgreSqlBudgetStore(database.DataSource, database.Schema, lease);
        }));
        return builder;
    }

    private static void AddOptions(IServiceCollection services, Action<PostgreSqlStoreOptions>? configure)
        => StageRegistration.AddStageOptions(services, configure, static s =>
        {
            s.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlStoreOptions>, PostgreSqlConnectivityValidator>());
            s.TryAddSingleton<PostgreSqlStoreDatabase>();
        });
}
