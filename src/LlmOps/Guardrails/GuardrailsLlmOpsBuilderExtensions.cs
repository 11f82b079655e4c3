using LlmOps.DependencyInjection;
using LlmOps.Guardrails.Injection;
using LlmOps.Guardrails.Scanners;
using LlmOps.Guardrails;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmOps;

/// <summary>Registers guardrails with <c>services.AddLlmOps()</c>.</summary>
public static class GuardrailsLlmOpsBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="GuardrailsOptions"/>, starting from the default offline chain
    /// (<see cref="Guardrails.Scanners.DefaultGuardrails.Create"/>), which turns on the guardrails stage of
    /// <c>UseLlmOps()</c>. The options are validated at startup; a bad value fails with a message that names it.
    /// Calling it again adds another configuration action (the default chain is added once). When an
    /// <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> is registered (for example by
    /// <c>AddMiniLmEmbeddingGenerator()</c>) and <see cref="GuardrailsOptions.UseEmbeddingInjectionClassifier"/> is
    /// <see langword="true"/> (the default), the default chain's prompt-injection scanner also uses
    /// <see cref="EmbeddingInjectionClassifier.CreateDefault"/> as a second layer; its exemplars are embedded in the
    /// background and the rules alone decide until they are ready. Set the property to <see langword="false"/> to turn it off.
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
                classifier.WaitForExemplars = false;
                return classifier;
            });
            services.AddSingleton(static sp => sp.GetRequiredService<IOptions<GuardrailsOptions>>().Value);
        });
        return builder;
    }

    private static void AttachClassifier(GuardrailsOptions options, IServiceProvider services)
    {
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

        // Embed the exemplars in the background; a request before they are ready is scored by the rules alone.
        _ = classifier?.WarmUpAsync();
    }
}
