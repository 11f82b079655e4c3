using LlmOps.Embeddings.MiniLM;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the local MiniLM embedding generator.</summary>
public static class MiniLmServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="MiniLmEmbeddingGenerator"/> as a singleton and as the
    /// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> for strings (unless another one is already registered).
    /// The LlmOps semantic cache picks it up from there. Calling it again is harmless.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddMiniLmEmbeddingGenerator(this IServiceCollection services, Action<MiniLmEmbeddingGeneratorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(_ =>
        {
            var options = new MiniLmEmbeddingGeneratorOptions();
            configure?.Invoke(options);
            return new MiniLmEmbeddingGenerator(options);
        });
        services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(static sp => sp.GetRequiredService<MiniLmEmbeddingGenerator>());
        return services;
    }
}
