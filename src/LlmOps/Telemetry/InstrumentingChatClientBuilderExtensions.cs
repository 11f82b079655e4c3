using LlmOps.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmOps;

/// <summary>Adds the LlmOps telemetry stage to a <see cref="ChatClientBuilder"/>.</summary>
public static class InstrumentingChatClientBuilderExtensions
{
    /// <summary>The telemetry stage: on with <c>AddLlmOps()</c> alone, unless <see cref="LlmOpsTelemetryOptions.Enabled"/> is off.</summary>
    internal static readonly PipelineStage<LlmOpsTelemetryOptions> Stage = new("telemetry", Create, alwaysOn: static o => o.Enabled);

    /// <summary>
    /// Adds an <see cref="InstrumentingChatClient"/>: a span and request metrics for every call. Options start from
    /// those registered with <c>AddLlmOpsTelemetry()</c> (or the defaults) and <paramref name="configure"/> adjusts them
    /// for this client only; <see cref="LlmOpsTelemetry"/> and <see cref="TimeProvider"/> come from DI when present.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adjusts the options for this client only.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">When the client is built, if an option is invalid; the message names it.</exception>
    public static ChatClientBuilder UseLlmOpsTelemetry(this ChatClientBuilder builder, Action<LlmOpsTelemetryOptions>? configure = null)
        => Stage.Use(builder, configure);

    private static InstrumentingChatClient Create(IChatClient inner, IServiceProvider services, LlmOpsTelemetryOptions options)
    {
        var telemetry = services.GetService<LlmOpsTelemetry>();
        var time = services.GetService<TimeProvider>();
        return new InstrumentingChatClient(inner, telemetry, options, time);
    }
}
