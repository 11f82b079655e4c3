using LlmOps.Caching;
using LlmOps.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LlmOps;

/// <summary>Registers the semantic cache with <c>services.AddLlmOps()</c>.</summary>
public static class SemanticCacheLlmOpsBuilderExtensions
{
    /// <summary>
    /// Registers the cache: its options (validated at startup) and an <see cref="InMemorySemanticCacheStore"/> unless
    /// another <see cref="ISemanticCacheStore"/> is registered. <c>UseLlmOps()</c> then adds the cache stage after
    /// grounding and before routing. The semantic tier uses the registered
    /// <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> (for example <c>services.AddMiniLmEmbeddingGenerator()</c>);
    /// without one, only the exact tier runs. Calling it again adds another configuration action.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static LlmOpsBuilder AddSemanticCache(this LlmOpsBuilder builder, Action<SemanticCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        StageRegistration.AddStageOptions(builder.Services, configure, static services =>
            services.TryAddSingleton<ISemanticCacheStore>(static sp => new InMemorySemanticCacheStore(
                sp.GetRequiredService<IOptions<SemanticCacheOptions>>().Value.MaxEntries, sp.GetService<TimeProvider>())));
        return builder;
    }
}
