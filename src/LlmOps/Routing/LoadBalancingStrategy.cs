namespace LlmOps.Routing;

/// <summary>How a <see cref="ModelGroup"/> picks one of its deployments for an attempt.</summary>
/// <remarks>
/// Whatever the strategy, a deployment whose circuit is open, or which has no room left under its
/// <see cref="ModelDeployment.RequestsPerMinute"/> or <see cref="ModelDeployment.TokensPerMinute"/>, is skipped, and a
/// deployment already tried for the request is not tried again.
/// </remarks>
public enum LoadBalancingStrategy
{
    /// <summary>A random deployment, in proportion to <see cref="ModelDeployment.Weight"/>. The default.</summary>
    WeightedShuffle,

    /// <summary>The deployment with the fewest requests in flight (ties broken by weight, then order).</summary>
    LeastInFlight,

    /// <summary>
    /// The deployment with the lowest exponentially weighted moving average of latency (time to first token when
    /// streaming, the whole call otherwise). Deployments without a sample yet are tried first.
    /// </summary>
    LatencyEwma,

    /// <summary>The deployment whose model is cheapest in the metering <see cref="Metering.ModelCatalog"/> (ties by weight).</summary>
    LowestCost,

    /// <summary>
    /// The deployment with the lowest share of its RPM/TPM limits used in the current minute; requests that would
    /// exceed a limit go elsewhere. Permits are counted by System.Threading.RateLimiting window limiters, one pair per
    /// minute of the injected clock.
    /// </summary>
    UsageBased,
}
