using System.Diagnostics.Metrics;
using LlmOps;
using LlmOps.DependencyInjection;
using LlmOps.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the services shared by the LlmOps pipeline.</summary>
public static class LlmOpsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the shared LlmOps services (options, telemetry, clock, and the services each configured
    /// concern adds). Calling it more than once is harmless: services are added once and every
    /// <paramref name="configure"/> action is applied in order. Options are validated at startup.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures <see cref="LlmOpsOptions"/>.</param>
    /// <returns>A builder for further configuration.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">At startup (or first use), when an option is invalid; the message names it.</exception>
    public static LlmOpsBuilder AddLlmOps(this IServiceCollection services, Action<LlmOpsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        if (!services.Any(static d => d.ServiceType == typeof(LlmOpsMarker)))
        {
            services.AddSingleton<LlmOpsMarker>();
            services.AddOptions<LlmOpsOptions>().ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmOpsOptions>, LlmOpsOptionsValidator>());
            services.TryAddSingleton(TimeProvider.System);
            services.TryAddSingleton(static sp => new LlmOpsTelemetry(sp.GetService<IMeterFactory>()));
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        return new LlmOpsBuilder(services);
    }

    /// <summary>Marks a collection on which <see cref="AddLlmOps"/> ran.</summary>
    private sealed class LlmOpsMarker;
}
