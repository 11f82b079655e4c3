using LlmOps.DependencyInjection;
using LlmOps.Telemetry;

namespace LlmOps;

/// <summary>Configures the telemetry stage on an <see cref="LlmOpsBuilder"/>.</summary>
public static class TelemetryLlmOpsBuilderExtensions
{
    /// <summary>
    /// Configures the telemetry stage, which <c>AddLlmOps()</c> already turns on: <c>UseLlmOps()</c> adds it outermost
    /// unless <see cref="LlmOpsTelemetryOptions.Enabled"/> is off. Calling it again adds another configuration action.
    /// Options are validated at startup.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static LlmOpsBuilder AddLlmOpsTelemetry(this LlmOpsBuilder builder, Action<LlmOpsTelemetryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        StageRegistration.AddStageOptions(builder.Services, configure);
        return builder;
    }
}
