using LlmOps.DependencyInjection;
using LlmOps.Guardrails;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LlmOps;

/// <summary>Registers guardrails with <c>services.AddLlmOps()</c>.</summary>
public static class GuardrailsLlmOpsBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="GuardrailsOptions"/> (the default chain, then <paramref name="configure"/>), which turns on
    /// the guardrails stage of <c>UseLlmOps()</c>. A second call is ignored.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adjusts the options (add or remove scanners, block behaviour, streaming mode).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The configured options are invalid (thrown when first resolved).</exception>
    public static LlmOpsBuilder AddGuardrails(this LlmOpsBuilder builder, Action<GuardrailsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(_ =>
        {
            var options = GuardrailsOptions.CreateDefault();
            configure?.Invoke(options);
            options.ThrowIfInvalid();
            return options;
        });
        return builder;
    }
}
