using LlmOps.Metering;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmOps;

/// <summary>Adds <see cref="CostMeteringChatClient"/> to a <see cref="ChatClientBuilder"/>.</summary>
public static class CostMeteringChatClientBuilderExtensions
{
    /// <summary>
    /// Meters every call of the inner client: cost on the response, the <c>llmops.client.cost</c> histogram, the ledger
    /// and budgets. Services registered with <c>AddCostMetering()</c> are used; without them, unknown models are
    /// reported as unpriced and no ledger or budget is used.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the client after it is created, or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ChatClientBuilder UseCostMeter(this ChatClientBuilder builder, Action<CostMeteringChatClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var client = Create(inner, services);
            configure?.Invoke(client);
            return client;
        });
    }

    internal static CostMeteringChatClient Create(IChatClient inner, IServiceProvider services)
    {
        var options = services.GetService<IOptions<CostMeteringOptions>>()?.Value;
        return new CostMeteringChatClient(
            inner,
            services.GetService<CostCalculator>(),
            services.GetService<ICostLedger>(),
            services.GetService<BudgetManager>(),
            services.GetService<TokenCounter>(),
            services.GetService<LlmOpsTelemetry>(),
            services.GetService<TimeProvider>(),
            options?.DefaultMaxOutputTokens ?? 4096);
    }
}
