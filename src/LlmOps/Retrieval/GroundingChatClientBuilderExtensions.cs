using LlmOps.Metering;
using LlmOps.Retrieval;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmOps;

/// <summary>Adds <see cref="GroundingChatClient"/> to a <see cref="ChatClientBuilder"/>.</summary>
public static class GroundingChatClientBuilderExtensions
{
    /// <summary>The grounding stage.</summary>
    internal static readonly PipelineStage<GroundingOptions> Stage = new("grounding", Create);

    /// <summary>
    /// Adds the grounding stage. Options start from those registered with <c>AddGrounding()</c> (or the defaults) and
    /// <paramref name="configure"/> adjusts them for this client only. The retriever is <see cref="GroundingOptions.Retriever"/>
    /// or the <see cref="IRetriever"/> in DI; the token counter, model catalog and telemetry come from DI when registered.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adjusts the options for this client only.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">When the client is built, if no retriever is set or registered.</exception>
    public static ChatClientBuilder UseGrounding(this ChatClientBuilder builder, Action<GroundingOptions>? configure = null)
        => Stage.Use(builder, configure);

    private static GroundingChatClient Create(IChatClient inner, IServiceProvider services, GroundingOptions options)
    {
        var retriever = options.Retriever ?? services.GetService<IRetriever>()
            ?? throw new InvalidOperationException("The grounding stage needs a retriever: set GroundingOptions.Retriever in AddGrounding(o => ...), or register an IRetriever (for example services.AddSingleton<IRetriever>(sp => new HybridRetriever(index))).");
        return new GroundingChatClient(
            inner,
            retriever,
            options,
            services.GetService<TokenCounter>(),
            services.GetService<ModelCatalog>(),
            services.GetService<LlmOpsTelemetry>(),
            services.GetService<ILoggerFactory>()?.CreateLogger<GroundingChatClient>());
    }
}
