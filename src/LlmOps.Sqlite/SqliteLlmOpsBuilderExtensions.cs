using LlmOps.DependencyInjection;
using LlmOps.Metering;
using LlmOps.Prompts;
using LlmOps.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LlmOps;

/// <summary>Puts the LlmOps prompt store and cost ledger in one SQLite file: the embedded durable default for one machine.</summary>
public static class SqliteLlmOpsBuilderExtensions
{
    /// <summary>
    /// Registers a <see cref="SqlitePromptStore"/> as the <see cref="IPromptStore"/> (replacing any other, whether
    /// registered before or after). Options are validated at startup, and the file is opened and migrated then unless
    /// <see cref="SqliteStoreOptions.LazyConnect"/> is set.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the connection string (shared with <see cref="AddSqliteCostLedger"/>).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">At startup: an option is invalid, or the file cannot be opened (the message names the path).</exception>
    public static LlmOpsBuilder AddSqlitePrompts(this LlmOpsBuilder builder, Action<SqliteStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddOptions(builder.Services, configure);
        builder.Services.Replace(ServiceDescriptor.Singleton<IPromptStore>(static sp =>
            new SqlitePromptStore(sp.GetRequiredService<IOptions<SqliteStoreOptions>>().Value.ConnectionString!)));
        return builder;
    }

    /// <summary>
    /// Registers a <see cref="SqliteCostLedger"/> as the <see cref="ICostLedger"/> (replacing any other, whether
    /// registered before or after). Options are validated at startup, and the file is opened and migrated then unless
    /// <see cref="SqliteStoreOptions.LazyConnect"/> is set.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the connection string (shared with <see cref="AddSqlitePrompts"/>).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">At startup: an option is invalid, or the file cannot be opened (the message names the path).</exception>
    public static LlmOpsBuilder AddSqliteCostLedger(this LlmOpsBuilder builder, Action<SqliteStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddOptions(builder.Services, configure);
        builder.Services.Replace(ServiceDescriptor.Singleton<ICostLedger>(static sp =>
            new SqliteCostLedger(sp.GetRequiredService<IOptions<SqliteStoreOptions>>().Value.ConnectionString!)));
        return builder;
    }

    private static void AddOptions(IServiceCollection services, Action<SqliteStoreOptions>? configure)
        => StageRegistration.AddStageOptions(services, configure, static s =>
            s.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteStoreOptions>, SqliteStoreValidator>()));
}
