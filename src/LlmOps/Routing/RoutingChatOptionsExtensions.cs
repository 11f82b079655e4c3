using LlmOps.Metering;
using Microsoft.Extensions.AI;

namespace LlmOps.Routing;

/// <summary>
/// Per-request routing choices on <see cref="ChatOptions"/>. A group is chosen by name through
/// <see cref="ChatOptions.ModelId"/>; <c>auto</c> (or no model) lets the policy choose; a tier is chosen with
/// <see cref="WithModelTier"/>. An explicit choice always wins over the policy.
/// </summary>
public static class RoutingChatOptionsExtensions
{
    internal const string TierKey = "llmops.routing.tier";

    /// <summary>Returns a copy of <paramref name="options"/> that asks for a tier (its first group serves it; the cascade may still escalate).</summary>
    /// <param name="options">The options to copy, or <see langword="null"/>.</param>
    /// <param name="tier">The tier.</param>
    /// <returns>The new options.</returns>
    /// <exception cref="ArgumentException"><paramref name="tier"/> has no name.</exception>
    public static ChatOptions WithModelTier(this ChatOptions? options, ModelTier tier)
    {
        if (tier.IsEmpty)
        {
            throw new ArgumentException("The tier has no name; use ModelTier.Small, Medium, Large or a named tier.", nameof(tier));
        }

        return options.WithProperty(TierKey, tier);
    }

    /// <summary>Gets the tier a request asked for with <see cref="WithModelTier"/>, or <see langword="null"/>.</summary>
    /// <param name="options">The options, or <see langword="null"/>.</param>
    /// <returns>The tier, or <see langword="null"/>.</returns>
    public static ModelTier? GetModelTier(this ChatOptions? options)
        => options?.AdditionalProperties?.TryGetValue(TierKey, out var value) == true && value is ModelTier tier ? tier : null;
}
