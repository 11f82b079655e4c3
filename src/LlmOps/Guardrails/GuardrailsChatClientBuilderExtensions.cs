using LlmOps.DependencyInjection;
using LlmOps.Guardrails;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmOps;

/// <summary>Adds <see cref="GuardrailsChatClient"/> to a <see cref="ChatClientBuilder"/>.</summary>
public static class GuardrailsChatClientBuilderExtensions
{
    /// <summary>The guardrails stage.</summary>
    internal static readonly PipelineStage<GuardrailsOptions> Stage = new("guardrails", Create, GuardrailsOptions.CreateDefault);

    /// <summary>
    /// Adds the guardrails stage. Options start from those registered with <c>AddGuardrails()</c>, else from the default
    /// chain (<see cref="GuardrailsOptions.CreateDefault"/>), and <paramref name="configure"/> adjusts them for this client only.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adjusts the options (scanners, block behaviour, streaming mode) for this client only.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">When the client is built, if an option is invalid; the message names it.</exception>
    public static ChatClientBuilder UseGuardrails(this ChatClientBuilder builder, Action<GuardrailsOptions>? configure = null)
        => Stage.Use(builder, configure);

    /// <summary>Adds the guardrails stage with the given options.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    [Obsolete("Use UseGuardrails(o => ...) (options from AddGuardrails() or the default chain, adjusted for this client). This overload will be removed in the next minor release.")]
    public static ChatClientBuilder UseGuardrails(this ChatClientBuilder builder, GuardrailsOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        return builder.Use((inner, services) => Create(inner, services, ValidatableOptionsValidator<GuardrailsOptions>.ThrowIfInvalid(options)));
    }

    private static GuardrailsChatClient Create(IChatClient inner, IServiceProvider services, GuardrailsOptions options)
    {
        var telemetry = services.GetService<LlmOpsTelemetry>();
        var time = services.GetService<TimeProvider>();
        return new GuardrailsChatClient(inner, options, telemetry, time, services.GetService<ILoggerFactory>()?.CreateLogger<GuardrailsChatClient>());
    }
}
