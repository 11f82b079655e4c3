using LlmOps.DependencyInjection;
using LlmOps.Metering;
using LlmOps.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LlmOps;

/// <summary>Registers cost metering (<c>LlmOps.Metering</c>) on an <see cref="LlmOpsBuilder"/>.</summary>
public static class CostMeteringLlmOpsBuilderExtensions
{
    /// <summary>
    /// Registers the model catalog, <see cref="TokenCounter"/>, <see cref="CostCalculator"/>, an
    /// <see cref="InMemoryCostLedger"/> (unless an <see cref="ICostLedger"/> is already registered) and the
    /// <see cref="BudgetManager"/>, and turns on the metering stage of <c>UseLlmOps()</c>. Calling it again only adds
    /// <paramref name="configure"/>. Options are validated at startup.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures prices, budgets and limits.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">At startup, when a price or budget is invalid; the message names the model and field.</exception>
    public static LlmOpsBuilder AddCostMetering(this LlmOpsBuilder builder, Action<CostMeteringOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        StageRegistration.AddStageOptions(builder.Services, configure, static services =>
        {
            services.TryAddSingleton(static sp => sp.GetRequiredService<IOptions<CostMeteringOptions>>().Value.BuildCatalog());
            services.TryAddSingleton<TokenCounter>();
            services.TryAddSingleton(static sp => new CostCalculator(sp.GetRequiredService<ModelCatalog>()));
            services.TryAddSingleton<ICostLedger, InMemoryCostLedger>();
            services.TryAddSingleton(static sp => new BudgetManager(
                sp.GetRequiredService<IOptions<CostMeteringOptions>>().Value.Budgets,
                sp.GetService<TimeProvider>(),
                sp.GetService<LlmOpsTelemetry>(),
                sp.GetService<ILoggerFactory>()?.CreateLogger<BudgetManager>(),
                sp.GetService<IBudgetStore>()));
        });
        return builder;
    }

    /// <summary>Adds prices from a configuration section (see <see cref="PriceSheet"/> for its shape) and registers metering.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="section">The section, for example <c>configuration.GetSection("LlmOps:Metering")</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static LlmOpsBuilder AddPrices(this LlmOpsBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        return builder.AddCostMetering(o => o.AddPriceSheet(PriceSheet.FromConfiguration(section)));
    }

    /// <summary>Adds prices from a JSON price file with an effective date (see <see cref="PriceSheet"/>) and registers metering.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The file path; read when the options are first built (at startup).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    public static LlmOpsBuilder AddPriceFile(this LlmOpsBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return builder.AddCostMetering(o => o.AddPriceSheet(PriceSheet.LoadFile(path)));
    }
}
