using LlmOps.Metering;

namespace LlmOps.Routing;

/// <summary>What an <see cref="IRoutingPolicy"/> chose: a tier or a group, and why.</summary>
/// <param name="Tier">The tier; its first group serves the request. Ignored when <paramref name="Group"/> is set.</param>
/// <param name="Group">A group by name, or <see langword="null"/> to go by <paramref name="Tier"/>.</param>
/// <param name="Reason">A short, bounded reason (for example <c>rule: json schema</c>), reported by <c>GetRouting()</c>.</param>
public sealed record RoutingDecision(ModelTier? Tier, string? Group, string Reason)
{
    /// <summary>Creates a decision for a tier.</summary>
    /// <param name="tier">The tier.</param>
    /// <param name="reason">Why.</param>
    /// <returns>The decision.</returns>
    public static RoutingDecision ForTier(ModelTier tier, string reason) => new(tier, null, reason);

    /// <summary>Creates a decision for a group.</summary>
    /// <param name="group">The group name.</param>
    /// <param name="reason">Why.</param>
    /// <returns>The decision.</returns>
    public static RoutingDecision ForGroup(string group, string reason) => new(null, group, reason);
}
