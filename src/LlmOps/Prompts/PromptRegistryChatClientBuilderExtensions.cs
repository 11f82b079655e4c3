using LlmOps.DependencyInjection;
using LlmOps.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmOps;

/// <summary>Adds <see cref="PromptRegistryChatClient"/> to a <see cref="ChatClientBuilder"/>.</summary>
public static class PromptRegistryChatClientBuilderExtensions
{
    /// <summary>The prompt stage.</summary>
    internal static readonly PipelineStage<PromptRegistryOptions> Stage = new("prompts", Create);

    /// <summary>
    /// Adds the prompt stage: requests carrying <c>options.WithPrompt(...)</c> get the rendered prompt. It uses the
    /// <see cref="PromptRegistry"/> registered with <c>AddPromptRegistry()</c> or <c>AddPromptFiles()</c>; with
    /// <paramref name="configure"/>, a registry of its own over the same store, with the adjusted options.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adjusts the registry options for this client only.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">When the client is built, if no prompt store is registered (call <c>AddPromptRegistry()</c>).</exception>
    public static ChatClientBuilder UsePromptRegistry(this ChatClientBuilder builder, Action<PromptRegistryOptions>? configure = null)
        => Stage.Use(builder, configure);

    /// <summary>Adds the prompt stage over the given registry.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="registry">The registry.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    [Obsolete("Register the registry with services.AddLlmOps().AddPromptRegistry() (or AddPromptFiles) and call UsePromptRegistry(o => ...). This overload will be removed in the next minor release.")]
    public static ChatClientBuilder UsePromptRegistry(this ChatClientBuilder builder, PromptRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(registry);
        return builder.Use(inner => new PromptRegistryChatClient(inner, registry));
    }

    private static PromptRegistryChatClient Create(IChatClient inner, IServiceProvider services, PromptRegistryOptions options)
    {
        var shared = services.GetService<PromptRegistry>();
        if (shared is not null && ReferenceEquals(options, services.GetService<IOptions<PromptRegistryOptions>>()?.Value))
        {
            return new PromptRegistryChatClient(inner, shared);
        }

        var store = services.GetService<IPromptStore>()
            ?? throw new InvalidOperationException("UsePromptRegistry() needs a prompt store: call services.AddLlmOps().AddPromptRegistry() or .AddPromptFiles(\"prompts\") first.");
        return new PromptRegistryChatClient(inner, new PromptRegistry(store, options, services.GetService<TimeProvider>()));
    }
}
