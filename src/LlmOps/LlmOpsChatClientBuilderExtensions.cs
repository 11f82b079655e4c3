using Microsoft.Extensions.AI;

namespace LlmOps;

/// <summary>Composes the standard LlmOps pipeline on a <see cref="ChatClientBuilder"/>.</summary>
public static class LlmOpsChatClientBuilderExtensions
{
    /// <summary>
    /// Adds every configured LlmOps stage in the standard order: telemetry, guardrails, prompts, grounding,
    /// cache, routing, metering. Stages whose services were not registered with <c>services.AddLlmOps()</c>
    /// are skipped, so the call is safe to make before any concern is configured.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ChatClientBuilder UseLlmOps(this ChatClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var (_, apply) in LlmOpsPipeline.Stages)
        {
            builder.Use((inner, services) => apply(inner, services, LlmOpsPipeline.GetOptions(services)));
        }

        return builder;
    }
}
