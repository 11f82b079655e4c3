using LlmOps.DependencyInjection;
using LlmOps.Guardrails.Injection;
using LlmOps.Guardrails.Scanners;
using LlmOps.Guardrails;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LlmOps;

/// <summary>Registers guardrails with <c>services.AddLlmOps()</c>.</summary>
public static class GuardrailsLlmOpsBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="GuardrailsOptions"/>, starting from the default offline chain
    /// (<see cref="Guardrails.Scanners.DefaultGuardrails.Create"/>), which turns on the guardrails stage of
    /// <c>UseLlmOps()</c>. The options are validated at startup; a bad value fails with a message that names it.
    /// Calling it again adds another configuration action (the default chain is added once). When the registered
    /// <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> produces all-MiniLM-L6-v2 embeddings (the one
    /// <c>AddMiniLmEmbeddingGenerator()</c> registers), the default chain's prompt-injection scanner gets its second stage
    /// (<see cref="InjectionSecondStage"/>, on by default: <see cref="GuardrailsOptions.UseInjectionSecondStage"/>), which
    /// embeds only the texts whose fast score is in the uncertain band. The embedding injection
    /// classifier is off by default (<see cref="GuardrailsOptions.UseEmbeddingInjectionClassifier"/> is
    /// <see langword="false"/>). When it is set to <see langword="true"/> and an
    /// <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> is registered (for example by
    /// <c>AddMiniLmEmbeddingGenerator()</c>), the default chain's prompt-injection scanner also uses
    /// <see cref="EmbeddingInjectionClassifier.CreateDefault"/> as a second layer. Its exemplars are embedded in the
    /// background as soon as the options are resolved; the first requests wait for them, for at most
    /// <see cref="GuardrailsOptions.EmbeddingClassifierWarmUpTimeout"/> (10 seconds) after the warm-up started, and
    /// are scored without the classifier after that. To take the wait out of the first request, await
    /// <c>services.GetRequiredService&lt;EmbeddingInjectionClassifier&gt;().WarmUpAsync()</c> at startup.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adjusts the options (add or remove scanners, block behaviour, streaming mode).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static LlmOpsBuilder AddGuardrails(this LlmOpsBuilder builder, Action<GuardrailsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        StageRegistration.AddStageOptions(builder.Services, configure, static services =>
        {
            services.AddOptions<GuardrailsOptions>()
                .Configure(static options =>
                {
                    foreach (var guardrail in Guardrails.Scanners.DefaultGuardrails.Create())
                    {
                        if (guardrail is PromptInjectionGuardrail injection)
                        {
                            injection.IsDefaultChainInstance = true;
                        }

                        options.Guardrails.Add(guardrail);
                    }
                })
                .PostConfigure<IServiceProvider>(static (options, sp) => AttachClassifier(options, sp));

            // Created after the generator it uses, so the container disposes it first: its Dispose stops a background
            // exemplar run before the generator goes away.
            services.TryAddSingleton(static sp =>
            {
                var classifier = EmbeddingInjectionClassifier.CreateDefault(sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
                classifier.TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System;
                classifier.Logger = sp.GetService<ILoggerFactory>()?.CreateLogger<EmbeddingInjectionClassifier>() ?? NullLogger<EmbeddingInjectionClassifier>.Instance;
                return classifier;
            });
            services.AddSingleton(static sp => sp.GetRequiredService<IOptions<GuardrailsOptions>>().Value);
        });
        return builder;
    }

    private static void AttachClassifier(GuardrailsOptions options, IServiceProvider services)
    {
        AttachSecondStage(options, services);
        if (!options.UseEmbeddingInjectionClassifier
            || services.GetService<IEmbeddingGenerator<string, Embedding<float>>>() is null)
        {
            return;
        }

        EmbeddingInjectionClassifier? classifier = null;
        foreach (var guardrail in options.Guardrails)
        {
            if (guardrail is PromptInjectionGuardrail { IsDefaultChainInstance: true, Classifier: null } injection)
            {
                classifier ??= services.GetRequiredService<EmbeddingInjectionClassifier>();
                injection.Classifier = classifier;
            }
        }

        if (classifier is null)
        {
            return;
        }

        // Embed the exemplars in the background; requests wait for them up to the shared deadline. A failed run is
        // logged by the classifier (EventId 1110) and retried by the next request.
        classifier.WarmUpTimeout = options.EmbeddingClassifierWarmUpTimeout;
        _ = classifier.WarmUpAsync().ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static void AttachSecondStage(GuardrailsOptions options, IServiceProvider services)
    {
        if (!options.UseInjectionSecondStage
            || services.GetService<IEmbeddingGenerator<string, Embedding<float>>>() is not { } generator
            || !InjectionSecondStage.Supports(generator))
        {
            return;
        }

        var logger = services.GetService<ILoggerFactory>()?.CreateLogger<PromptInjectionGuardrail>();
        foreach (var guardrail in options.Guardrails)
        {
            if (guardrail is PromptInjectionGuardrail { IsDefaultChainInstance: true, SecondStage: null } injection)
            {
                injection.SecondStage = new InjectionSecondStage(generator, logger);
            }
        }
    }
}
