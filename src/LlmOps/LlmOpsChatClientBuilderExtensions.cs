using Microsoft.Extensions.AI;

namespace LlmOps;

/// <summary>Composes the standard LlmOps pipeline on a <see cref="ChatClientBuilder"/>.</summary>
public static class LlmOpsChatClientBuilderExtensions
{
    /// <summary>
    /// Adds every registered LlmOps stage in the standard order: telemetry, guardrails, prompts, grounding, cache,
    /// routing, metering. A stage is registered by its <c>services.AddLlmOps().AddXxx()</c> call (telemetry is on with
    /// <c>AddLlmOps()</c> alone); the others are skipped, so the call is safe to make before any concern is configured.
    /// Each stage is built exactly as its own <c>UseXxx()</c> would build it.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ChatClientBuilder UseLlmOps(this ChatClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var stage in LlmOpsPipeline.Stages)
        {
            builder.Use(stage.Apply);
        }

        return builder;
    }
}
