using System.Diagnostics.CodeAnalysis;
using LlmOps.DependencyInjection;
using LlmOps.Prompts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LlmOps;

/// <summary>Registers the prompt registry with <c>services.AddLlmOps()</c>.</summary>
public static class PromptsLlmOpsBuilderExtensions
{
    /// <summary>
    /// Registers a <see cref="PromptRegistry"/> (singleton) over an <see cref="IPromptStore"/> (the registered one, else
    /// an <see cref="InMemoryPromptStore"/>) and its options, validated at startup. Calling it again adds another
    /// configuration action. <c>UseLlmOps()</c> then adds the prompt stage.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the registry options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static LlmOpsBuilder AddPromptRegistry(this LlmOpsBuilder builder, Action<PromptRegistryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        StageRegistration.AddStageOptions(builder.Services, configure, static services =>
        {
            services.TryAddSingleton<IPromptStore, InMemoryPromptStore>();
            services.TryAddSingleton(static sp => new PromptRegistry(
                sp.GetRequiredService<IPromptStore>(),
                sp.GetRequiredService<IOptions<PromptRegistryOptions>>().Value,
                sp.GetService<TimeProvider>()));
        });
        return builder;
    }

    /// <summary>Registers a <see cref="FilePromptStore"/> over a directory as the prompt store, and the registry.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="directory">The directory of prompt files.</param>
    /// <param name="configure">Configures the registry options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty.</exception>
    [RequiresDynamicCode(PromptFileFormat.ReflectionReason)]
    [RequiresUnreferencedCode(PromptFileFormat.ReflectionReason)]
    public static LlmOpsBuilder AddPromptFiles(this LlmOpsBuilder builder, string directory, Action<PromptRegistryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        builder.Services.TryAddSingleton<IPromptStore>(sp => new FilePromptStore(sp.GetRequiredService<IOptions<PromptRegistryOptions>>().Value.FilesDirectory ?? directory, sp.GetService<ILoggerFactory>()?.CreateLogger<FilePromptStore>()));
        return builder.AddPromptRegistry(o =>
        {
            o.FilesDirectory = directory; // validated at startup with the other options
            configure?.Invoke(o);
        });
    }
}
