using System.Diagnostics.Metrics;
using LlmOps;
using LlmOps.DependencyInjection;
using LlmOps.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the services shared by the LlmOps pipeline.</summary>
public static class LlmOpsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the shared LlmOps services (clock, telemetry and the telemetry stage's options) and returns the builder
    /// on which each stage is registered with its <c>AddXxx(o =&gt; …)</c>. Calling it more than once is harmless.
    /// Options are validated at startup (<c>ValidateOnStart</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder for the stages.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static LlmOpsBuilder AddLlmOps(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        StageRegistration.AddStageOptions<LlmOpsTelemetryOptions>(services, configure: null, static s =>
        {
            s.TryAddSingleton(TimeProvider.System);
            s.TryAddSingleton(static sp => new LlmOpsTelemetry(sp.GetService<IMeterFactory>()));
        });
        return new LlmOpsBuilder(services);
    }

    /// <summary>Registers the shared LlmOps services and configures telemetry through the former shared options.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the telemetry section.</param>
    /// <returns>A builder for the stages.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    [Obsolete("Configure telemetry with services.AddLlmOps().AddLlmOpsTelemetry(o => ...). This overload will be removed in the next minor release.")]
    public static LlmOpsBuilder AddLlmOps(this IServiceCollection services, Action<LlmOpsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddLlmOps().Configure(configure);
    }
}
