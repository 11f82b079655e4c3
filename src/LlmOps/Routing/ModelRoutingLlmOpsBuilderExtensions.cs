using LlmOps.DependencyInjection;
using LlmOps.Routing;

namespace LlmOps;

/// <summary>Registers model routing with <c>services.AddLlmOps()</c>.</summary>
public static class ModelRoutingLlmOpsBuilderExtensions
{
    /// <summary>
    /// Registers the routing stage's options (validated at startup: an unknown deployment in a group, an empty group, a
    /// fallback cycle or a negative limit fails with a message that names it). <c>UseLlmOps()</c> then adds
    /// <see cref="ModelRoutingChatClient"/> after the cache and before metering. A registered <see cref="IRoutingPolicy"/>
    /// is used when <see cref="ModelRoutingOptions.Policy"/> is not set. Calling it again adds another configuration action.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures deployments, groups, policy, resilience, cascade and budget downgrade.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static LlmOpsBuilder AddModelRouting(this LlmOpsBuilder builder, Action<ModelRoutingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        StageRegistration.AddStageOptions(builder.Services, configure);
        return builder;
    }
}
