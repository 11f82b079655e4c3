using Microsoft.Extensions.DependencyInjection;

namespace LlmOps.DependencyInjection;

/// <summary>
/// Returned by <c>services.AddLlmOps()</c>; each concern adds its registration methods to it as extension
/// methods (prompts, caching, metering, guardrails, …).
/// </summary>
public sealed class LlmOpsBuilder
{
    internal LlmOpsBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>Gets the service collection being configured.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Adds another configuration action for <see cref="LlmOpsOptions"/>.</summary>
    /// <param name="configure">The action.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is <see langword="null"/>.</exception>
    public LlmOpsBuilder Configure(Action<LlmOpsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }
}
