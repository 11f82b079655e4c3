using LlmOps.Metering;
using LlmOps.Routing;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmOps;

/// <summary>Adds <see cref="ModelRoutingChatClient"/> to a <see cref="ChatClientBuilder"/>.</summary>
public static class ModelRoutingChatClientBuilderExtensions
{
    /// <summary>The routing stage, between the cache and metering.</summary>
    internal static readonly PipelineStage<ModelRoutingOptions> Stage = new("routing", Create);

    /// <summary>
    /// Adds the routing stage. Options registered with <c>AddModelRouting()</c> are the starting point and
    /// <paramref name="configure"/> adjusts a copy for this client only. Deployments with a <see cref="ModelDeployment.ServiceKey"/>
    /// resolve the keyed <see cref="IChatClient"/>; with metering registered, each deployment's own client is wrapped by
    /// the metering stage so that every attempt is metered once (a deployment without its own client calls the inner client,
    /// which the metering stage of <c>UseLlmOps()</c> already wraps). Budgets, prices, the clock and the logger come from DI.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adjusts the options for this client only.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">When the client is built, if an option is invalid; the message names it.</exception>
    public static ChatClientBuilder UseModelRouting(this ChatClientBuilder builder, Action<ModelRoutingOptions>? configure = null)
        => Stage.Use(builder, configure);

    private static ModelRoutingChatClient Create(IChatClient inner, IServiceProvider services, ModelRoutingOptions options)
    {
        // The options may be the shared instance: resolve clients on a copy.
        options = options.Clone();
        foreach (var deployment in options.Deployments)
        {
            if (deployment is null)
            {
                continue;
            }

            var own = deployment.Client ?? (deployment.ServiceKey is { } key ? services.GetRequiredKeyedService<IChatClient>(key) : null);
            // The metering stage wraps a deployment's own client when metering is registered (and returns it otherwise).
            deployment.Client = own is null ? null : CostMeteringChatClientBuilderExtensions.Stage.Apply(own, services);
        }

        options.Budget.DefaultMaxOutputTokens ??= services.GetService<IOptions<CostMeteringOptions>>()?.Value.DefaultMaxOutputTokens;
        options.Policy ??= services.GetService<IRoutingPolicy>();
        return new ModelRoutingChatClient(
            inner,
            options,
            services.GetService<BudgetManager>(),
            services.GetService<CostCalculator>(),
            services.GetService<TokenCounter>(),
            services.GetService<LlmOpsTelemetry>(),
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>()?.CreateLogger<ModelRoutingChatClient>());
    }
}
