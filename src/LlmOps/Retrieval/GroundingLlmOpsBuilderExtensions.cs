using LlmOps.DependencyInjection;
using LlmOps.Retrieval;

namespace LlmOps;

/// <summary>Registers the grounding stage with <c>services.AddLlmOps()</c>.</summary>
public static class GroundingLlmOpsBuilderExtensions
{
    /// <summary>
    /// Registers the grounding stage's options (validated at startup); <c>UseLlmOps()</c> then adds the stage after the
    /// prompts and before the cache, so the cache key sees the grounded request. The stage retrieves with
    /// <see cref="GroundingOptions.Retriever"/>, else the <see cref="IRetriever"/> registered in DI (for example a
    /// <see cref="HybridRetriever"/> over a <see cref="DocumentIndex"/>). Calling it again adds another configuration action.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static LlmOpsBuilder AddGrounding(this LlmOpsBuilder builder, Action<GroundingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        StageRegistration.AddStageOptions(builder.Services, configure);
        return builder;
    }
}
