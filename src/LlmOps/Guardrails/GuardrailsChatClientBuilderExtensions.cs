using LlmOps.Guardrails;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmOps;

/// <summary>Adds <see cref="GuardrailsChatClient"/> to a <see cref="ChatClientBuilder"/>.</summary>
public static class GuardrailsChatClientBuilderExtensions
{
    /// <summary>
    /// Adds the guardrails stage. Options come from <paramref name="options"/>, else from DI
    /// (<c>AddLlmOps().AddGuardrails(...)</c>), else <see cref="GuardrailsOptions.CreateDefault"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options, or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ChatClientBuilder UseGuardrails(this ChatClientBuilder builder, GuardrailsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var resolved = options ?? services.GetService<GuardrailsOptions>() ?? GuardrailsOptions.CreateDefault();
            var telemetry = services.GetService<LlmOpsTelemetry>();
            var time = services.GetService<TimeProvider>();
            return new GuardrailsChatClient(inner, resolved, telemetry, time);
        });
    }
}
