using LlmOps.Metering;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmOps;

/// <summary>Adds <see cref="CostMeteringChatClient"/> to a <see cref="ChatClientBuilder"/>.</summary>
public static class CostMeteringChatClientBuilderExtensions
{
    /// <summary>The metering stage, innermost: every provider attempt is metered once.</summary>
    internal static readonly PipelineStage<CostMeteringOptions> Stage = new("metering", Create);

    /// <summary>
    /// Meters every call of the inner client: cost on the response, the <c>llmops.client.cost</c> histogram, the ledger
    /// and budgets. Options start from those registered with <c>AddCostMetering()</c> (or the defaults), and
    /// <paramref name="configure"/> adjusts them for this client only: with it, the client prices from its own catalog
    /// and, when no <see cref="BudgetManager"/> is registered, enforces its own budgets. The ledger, budget manager and
    /// token counter come from DI when registered.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adjusts the options for this client only.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">When the client is built, if a price or budget is invalid; the message names it.</exception>
    public static ChatClientBuilder UseCostMetering(this ChatClientBuilder builder, Action<CostMeteringOptions>? configure = null)
        => Stage.Use(builder, configure);

    /// <summary>Meters every call of the inner client (the former name of <see cref="UseCostMetering"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Receives the client after it is created, or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    [Obsolete("Use UseCostMetering(o => ...), the pair of AddCostMetering. This method will be removed in the next minor release.")]
    public static ChatClientBuilder UseCostMeter(this ChatClientBuilder builder, Action<CostMeteringChatClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var client = (CostMeteringChatClient)Stage.Use(new ChatClientBuilder(inner), null).Build(services);
            configure?.Invoke(client);
            return client;
        });
    }

    private static CostMeteringChatClient Create(IChatClient inner, IServiceProvider services, CostMeteringOptions options)
    {
        var time = services.GetService<TimeProvider>();
        var telemetry = services.GetService<LlmOpsTelemetry>();
        var shared = ReferenceEquals(options, services.GetService<IOptions<CostMeteringOptions>>()?.Value);
        var calculator = (shared ? services.GetService<CostCalculator>() : null) ?? new CostCalculator(options.BuildCatalog());
        var budgets = services.GetService<BudgetManager>()
            ?? (options.Budgets.Count > 0 ? new BudgetManager(options.Budgets, time, telemetry, store: services.GetService<IBudgetStore>()) : null);
        return new CostMeteringChatClient(
            inner,
            calculator,
            services.GetService<ICostLedger>(),
            budgets,
            services.GetService<TokenCounter>(),
            telemetry,
            time,
            options.DefaultMaxOutputTokens,
            services.GetService<ILoggerFactory>()?.CreateLogger<CostMeteringChatClient>());
    }
}
