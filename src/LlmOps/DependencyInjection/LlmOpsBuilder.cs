using LlmOps.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace LlmOps.DependencyInjection;

/// <summary>
/// Returned by <c>services.AddLlmOps()</c>. Each stage adds its one registration method to it as an extension:
/// <c>AddXxx(Action&lt;XxxOptions&gt;? configure = null)</c> registers the stage's services and options (validated at
/// startup; calling it again composes the configure actions), and <c>UseLlmOps()</c> then adds the stage.
/// </summary>
public sealed class LlmOpsBuilder
{
    internal LlmOpsBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>Gets the service collection being configured.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Adds a configuration action through the former shared options (their telemetry section).</summary>
    /// <param name="configure">The action.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is <see langword="null"/>.</exception>
    [Obsolete("Use AddLlmOpsTelemetry(o => ...). This method will be removed in the next minor release.")]
    public LlmOpsBuilder Configure(Action<LlmOpsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return this.AddLlmOpsTelemetry(telemetry =>
        {
            var options = new LlmOpsOptions { Telemetry = telemetry };
            configure(options);
            if (!ReferenceEquals(options.Telemetry, telemetry))
            {
                telemetry.CopyFrom(options.Telemetry ?? new LlmOpsTelemetryOptions());
            }
        });
    }
}
