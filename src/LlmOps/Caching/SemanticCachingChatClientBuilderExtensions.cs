using LlmOps.Caching;
using LlmOps.Metering;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmOps;

/// <summary>Adds the semantic cache to a <see cref="ChatClientBuilder"/>.</summary>
public static class SemanticCachingChatClientBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="SemanticCachingChatClient"/>. The store, embedding generator, options, clock and telemetry come
    /// from DI when registered (see <c>AddSemanticCache()</c>); otherwise the client gets its own in-memory store and
    /// runs the exact tier only unless an embedding generator is registered.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adjusts the options for this client only.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ChatClientBuilder UseSemanticCache(this ChatClientBuilder builder, Action<SemanticCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var shared = services.GetService<IOptions<SemanticCacheOptions>>()?.Value;
            var options = shared?.Clone() ?? new SemanticCacheOptions();
            configure?.Invoke(options);
            return Create(inner, services, options);
        });
    }

    /// <summary>The pipeline stage: wraps <paramref name="inner"/> only when <c>AddSemanticCache()</c> registered a store.</summary>
    internal static IChatClient CreateStage(IChatClient inner, IServiceProvider services)
    {
        if (services.GetService<ISemanticCacheStore>() is null)
        {
            return inner;
        }

        var options = services.GetService<IOptions<SemanticCacheOptions>>()?.Value ?? new SemanticCacheOptions();
        return Create(inner, services, options);
    }

    private static SemanticCachingChatClient Create(IChatClient inner, IServiceProvider services, SemanticCacheOptions options)
    {
        var time = services.GetService<TimeProvider>();
        var store = services.GetService<ISemanticCacheStore>();
        var embeddings = services.GetService<IEmbeddingGenerator<string, Embedding<float>>>();
        var telemetry = services.GetService<LlmOpsTelemetry>();
        if (options.SavedCostEstimator is null && services.GetService<CostCalculator>() is { } calculator)
        {
            options = options.Clone();
            options.SavedCostEstimator = (model, usage) => calculator.Calculate(model, usage) is { IsPriced: true } record ? record.Cost : null;
        }

        return new SemanticCachingChatClient(inner, store, embeddings, options, time, telemetry);
    }
}
