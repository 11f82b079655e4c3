using LlmOps.Metering;

namespace LlmOps.Routing;

/// <summary>A model group resolved against its deployments, with its load balancer. Immutable after construction.</summary>
internal sealed class RoutedGroup(string name, ModelTier? tier, RoutedDeployment[] deployments, LoadBalancingStrategy strategy, TimeSpan? hedgeAfter)
{
    public string Name { get; } = name;

    public ModelTier? Tier { get; } = tier;

    public RoutedDeployment[] Deployments { get; } = deployments;

    public LoadBalancingStrategy Strategy { get; } = strategy;

    /// <summary>Gets how long the first attempt may go without an answer (or first chunk) before a second one races it; <see langword="null"/> for no hedging.</summary>
    public TimeSpan? HedgeAfter { get; } = hedgeAfter;

    /// <summary>Gets this group then its fallbacks, in order, fallbacks of fallbacks included (set once all groups exist).</summary>
    public IReadOnlyList<RoutedGroup> Chain { get; set; } = [];

    /// <summary>Gets the content-policy fallback groups (with their own fallbacks), in order.</summary>
    public IReadOnlyList<RoutedGroup> ContentPolicyChain { get; set; } = [];

    /// <summary>Gets the tier used for pricing and reports: the group's, else its first deployment's.</summary>
    public ModelTier EffectiveTier => Tier ?? Deployments[0].Tier;

    /// <summary>
    /// Picks the deployment for the next attempt, or <see langword="null"/> when none is left: not yet tried, circuit not
    /// open, a context window above <paramref name="minContextWindow"/>, and (for limited deployments) room for
    /// <paramref name="tokens"/>. The RPM/TPM permits themselves are taken by the attempt.
    /// </summary>
    public RoutedDeployment? Select(RoutedDeployment? tried, HashSet<RoutedDeployment>? triedSet, int tokens, int minContextWindow, Func<double> random)
    {
        // Fast path: one deployment, untried and healthy (the common single-deployment group costs no allocation).
        if (Deployments.Length == 1)
        {
            var only = Deployments[0];
            return IsCandidate(only, tried, triedSet, tokens, minContextWindow) ? only : null;
        }

        RoutedDeployment? best = null;
        double bestScore = double.MaxValue, totalWeight = 0;
        var byWeight = Strategy == LoadBalancingStrategy.WeightedShuffle;
        var target = byWeight ? random() : 0;
        if (byWeight)
        {
            foreach (var d in Deployments)
            {
                if (IsCandidate(d, tried, triedSet, tokens, minContextWindow))
                {
                    totalWeight += d.Weight;
                }
            }

            target *= totalWeight;
        }

        foreach (var d in Deployments)
        {
            if (!IsCandidate(d, tried, triedSet, tokens, minContextWindow))
            {
                continue;
            }

            if (byWeight)
            {
                target -= d.Weight;
                best = d;
                if (target < 0)
                {
                    return d;
                }

                continue;
            }

            // Lower is better; the weight breaks ties (a heavier deployment is preferred).
            var score = Strategy switch
            {
                LoadBalancingStrategy.LeastInFlight => d.InFlight,
                LoadBalancingStrategy.LatencyEwma => double.IsNaN(d.LatencyEwma) ? -1 : d.LatencyEwma,
                LoadBalancingStrategy.LowestCost => (double)d.PricePerMillion,
                _ => d.Usage(tokens),
            };
            if (best is null || score < bestScore || (score == bestScore && d.Weight > best.Weight))
            {
                best = d;
                bestScore = score;
            }
        }

        return best;
    }

    private static bool IsCandidate(RoutedDeployment d, RoutedDeployment? tried, HashSet<RoutedDeployment>? triedSet, int tokens, int minContextWindow)
        => !ReferenceEquals(d, tried)
            && triedSet?.Contains(d) != true
            && d.IsAvailable
            && (minContextWindow <= 0 || (d.ContextWindow ?? int.MaxValue) > minContextWindow)
            && (!d.HasLimits || d.Usage(tokens) <= 1.0);
}
