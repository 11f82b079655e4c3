using LlmOps.Caching;
using LlmOps.Metering;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmOps;

/// <summary>Adds the semantic cache to a <see cref="ChatClientBuilder"/>.</summary>
public static class SemanticCachingChatClientBuilderExtensions
{
    /// <summary>The cache stage.</summary>
    internal static readonly PipelineStage<SemanticCacheOptions> Stage = new("cache", Create);

    /// <summary>
    /// Adds a <see cref="SemanticCachingChatClient"/>. Options start from those registered with <c>AddSemanticCache()</c>
    /// (or the defaults) and <paramref name="configure"/> adjusts them for this client only. The store, embedding
    /// generator, clock and telemetry come from DI when registered; otherwise the client gets its own in-memory store
    /// and runs the exact tier only unless an embedding generator is registered.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adjusts the options for this client only.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">When the client is built, if an option is invalid; the message names it.</exception>
    public static ChatClientBuilder UseSemanticCache(this ChatClientBuilder builder, Action<SemanticCacheOptions>? configure = null)
        => Stage.Use(builder, configure);

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

        return new SemanticCachingChatClient(inner, store, embeddings, options, time, telemetry, services.GetService<ILoggerFactory>()?.CreateLogger<SemanticCachingChatClient>());
    }
}
