using LlmOps.Embeddings.MiniLM;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the local MiniLM embedding generator.</summary>
public static class MiniLmServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="MiniLmEmbeddingGenerator"/> as a singleton and as the
    /// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> for strings (unless another one is already registered).
    /// The LlmOps semantic cache picks it up from there. Calling it again adds another configuration action. The options
    /// are validated at startup (<c>ValidateOnStart</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddMiniLmEmbeddingGenerator(this IServiceCollection services, Action<MiniLmEmbeddingGeneratorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<MiniLmEmbeddingGeneratorOptions>();
        if (!services.Any(static d => d.ServiceType == typeof(IValidateOptions<MiniLmEmbeddingGeneratorOptions>)))
        {
            options.ValidateOnStart();
            services.AddSingleton<IValidateOptions<MiniLmEmbeddingGeneratorOptions>, OptionsValidator>();
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(static sp => new MiniLmEmbeddingGenerator(sp.GetRequiredService<IOptions<MiniLmEmbeddingGeneratorOptions>>().Value));
        services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(static sp => sp.GetRequiredService<MiniLmEmbeddingGenerator>());
        return services;
    }

    private sealed class OptionsValidator : IValidateOptions<MiniLmEmbeddingGeneratorOptions>
    {
        public ValidateOptionsResult Validate(string? name, MiniLmEmbeddingGeneratorOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
