using LlmOps.DependencyInjection;
using LlmOps.Guardrails;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LlmOps;

/// <summary>Registers guardrails with <c>services.AddLlmOps()</c>.</summary>
public static class GuardrailsLlmOpsBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="GuardrailsOptions"/>, starting from the default offline chain
    /// (<see cref="Guardrails.Scanners.DefaultGuardrails.Create"/>), which turns on the guardrails stage of
    /// <c>UseLlmOps()</c>. The options are validated at startup; a bad value fails with a message that names it.
    /// Calling it again adds another configuration action (the default chain is added once).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adjusts the options (add or remove scanners, block behaviour, streaming mode).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static LlmOpsBuilder AddGuardrails(this LlmOpsBuilder builder, Action<GuardrailsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (!services.Any(static d => d.ServiceType == typeof(GuardrailsOptions)))
        {
            services.AddOptions<GuardrailsOptions>()
                .Configure(static options =>
                {
                    foreach (var guardrail in Guardrails.Scanners.DefaultGuardrails.Create())
                    {
                        options.Guardrails.Add(guardrail);
                    }
                })
                .ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GuardrailsOptions>, GuardrailsOptionsValidator>());
            services.AddSingleton(static sp => sp.GetRequiredService<IOptions<GuardrailsOptions>>().Value);
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        return builder;
    }
}
