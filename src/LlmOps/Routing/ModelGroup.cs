using LlmOps.Metering;

namespace LlmOps.Routing;

/// <summary>
/// A model group: the name callers use (<c>chat-medium</c>) and the deployments behind it, with how to balance them
/// and where to fall back when all of them fail.
/// </summary>
public sealed class ModelGroup
{
    /// <summary>Gets or sets the group name callers use as <c>ChatOptions.ModelId</c>; unique across groups and deployments.</summary>
    /// <value>The default value is the empty string (invalid).</value>
    public string Name { get; set; } = string.Empty;

    /// <summary>Gets or sets the tier this group serves when a policy picks a tier (the first group of a tier wins).</summary>
    /// <value>The default value is <see langword="null"/>: the group is used only by name or as a fallback.</value>
    public ModelTier? Tier { get; set; }

    /// <summary>Gets the names of the deployments behind the group (each one in <see cref="ModelRoutingOptions.Deployments"/>).</summary>
    /// <value>The default value is an empty list (invalid).</value>
    public IList<string> Deployments { get; set; } = [];

    /// <summary>Gets or sets how an attempt picks a deployment.</summary>
    /// <value>The default value is <see cref="LoadBalancingStrategy.WeightedShuffle"/>.</value>
    public LoadBalancingStrategy LoadBalancing { get; set; } = LoadBalancingStrategy.WeightedShuffle;

    /// <summary>
    /// Gets the groups tried, in order, once every deployment of this group has failed (for example another provider's
    /// <c>chat-medium</c>). Fallbacks of fallbacks are followed too; a cycle is rejected at startup.
    /// </summary>
    /// <value>The default value is an empty list.</value>
    public IList<string> Fallbacks { get; set; } = [];

    /// <summary>
    /// Gets the groups tried when a provider refuses the request for its content policy; without one, a content-filter
    /// error surfaces to the caller at once.
    /// </summary>
    /// <value>The default value is an empty list.</value>
    public IList<string> ContentPolicyFallbacks { get; set; } = [];

    /// <summary>
    /// Gets or sets hedging for a latency-sensitive group: when the first attempt has neither answered nor (streaming)
    /// produced its first chunk after this delay, a second attempt starts on another deployment of the group. The first
    /// answer wins; the other attempt is cancelled, and still recorded (<see cref="RoutingAttemptResult.Cancelled"/>) and
    /// metered. Nothing is hedged once a chunk has reached the caller. With a budget, the request hedges only when the
    /// budget admits the worst case of two attempts; otherwise it runs unhedged. <see langword="null"/> for no hedging.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public TimeSpan? HedgeAfter { get; set; }

    internal ModelGroup Clone() => new()
    {
        Name = Name,
        Tier = Tier,
        Deployments = [.. Deployments],
        LoadBalancing = LoadBalancing,
        Fallbacks = [.. Fallbacks],
        ContentPolicyFallbacks = [.. ContentPolicyFallbacks],
        HedgeAfter = HedgeAfter,
    };
}
