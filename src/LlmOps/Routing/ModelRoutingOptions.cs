using LlmOps.DependencyInjection;
using LlmOps.Metering;

namespace LlmOps.Routing;

/// <summary>
/// Options for <see cref="ModelRoutingChatClient"/>: deployments, the model groups callers name, how a tier is chosen,
/// resilience, fallbacks, cascades and budget-aware downgrade. Validated at startup (<see cref="Validate"/>).
/// </summary>
public sealed class ModelRoutingOptions : IValidatableOptions
{
    /// <summary>The model id that asks the routing policy to choose a tier: <c>auto</c>.</summary>
    public const string AutoModelId = "auto";

    /// <summary>Gets the deployments.</summary>
    /// <value>The default value is an empty list.</value>
    public IList<ModelDeployment> Deployments { get; set; } = [];

    /// <summary>Gets the model groups.</summary>
    /// <value>The default value is an empty list.</value>
    public IList<ModelGroup> Groups { get; set; } = [];

    /// <summary>
    /// Gets or sets the group used when a request names neither a group nor a tier and no policy chooses one; when
    /// <see langword="null"/>, such a request goes to the first group.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? DefaultGroup { get; set; }

    /// <summary>
    /// Gets or sets the routing policy that chooses a tier for requests that ask for <see cref="AutoModelId"/> or name no
    /// model. <see langword="null"/> sends them to <see cref="DefaultGroup"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IRoutingPolicy? Policy { get; set; }

    /// <summary>
    /// Gets or sets the tiers from cheapest to most capable; the cascade escalates and the budget downgrades along it.
    /// </summary>
    /// <value>The default value is Small, Medium, Large.</value>
    public IList<ModelTier> TierOrder { get; set; } = [ModelTier.Small, ModelTier.Medium, ModelTier.Large];

    /// <summary>Gets or sets the most provider attempts for one request, across retries, deployments, fallbacks and cascade steps.</summary>
    /// <value>The default value is 6.</value>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Gets or sets the output tokens counted toward a deployment's TPM limit when a request sets no <c>MaxOutputTokens</c>.</summary>
    /// <value>The default value is 256.</value>
    public int EstimatedOutputTokens { get; set; } = 256;

    /// <summary>Gets the per-deployment resilience settings.</summary>
    public RoutingResilienceOptions Resilience { get; set; } = new();

    /// <summary>Gets the cascade settings (cheaper tier first, escalate when a verifier rejects).</summary>
    public CascadeOptions Cascade { get; set; } = new();

    /// <summary>Gets the budget-aware downgrade settings (used when metering's <see cref="BudgetManager"/> is registered).</summary>
    public BudgetRoutingOptions Budget { get; set; } = new();

    /// <summary>
    /// Gets or sets a classifier consulted before <see cref="RoutingFailureClassifier.Classify"/>, for provider SDKs whose
    /// exceptions carry the status elsewhere; return <see langword="null"/> to use the built-in rules.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<Exception, RoutingFailure?>? ClassifyFailure { get; set; }

    /// <summary>Returns a deep copy, so that a client's own adjustments never leak into the shared options.</summary>
    /// <returns>The copy.</returns>
    public ModelRoutingOptions Clone()
    {
        var copy = (ModelRoutingOptions)MemberwiseClone();
        copy.Deployments = Deployments is null ? [] : [.. Deployments.Select(static d => d?.Clone()!)];
        copy.Groups = Groups is null ? [] : [.. Groups.Select(static g => g?.Clone()!)];
        copy.TierOrder = TierOrder is null ? [] : [.. TierOrder];
        copy.Resilience = Resilience?.Clone()!;
        copy.Cascade = Cascade?.Clone()!;
        copy.Budget = Budget?.Clone()!;
        return copy;
    }

    /// <summary>
    /// Checks the options and returns one message per problem, each naming the option and the value: an unknown
    /// deployment in a group, a group with no deployments, a cycle in fallbacks, a negative limit, duplicate names.
    /// </summary>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Deployments is null || Groups is null || TierOrder is null || Resilience is null || Cascade is null || Budget is null)
        {
            errors.Add("ModelRoutingOptions.Deployments, Groups, TierOrder, Resilience, Cascade and Budget must not be null.");
            return errors;
        }

        var deployments = new Dictionary<string, ModelDeployment>(StringComparer.OrdinalIgnoreCase);
        foreach (var d in Deployments)
        {
            if (d is null)
            {
                errors.Add("ModelRoutingOptions.Deployments contains null; remove it.");
                continue;
            }

            var name = $"ModelRoutingOptions.Deployments['{d.Name}']";
            if (string.IsNullOrWhiteSpace(d.Name))
            {
                errors.Add($"A deployment in ModelRoutingOptions.Deployments has an empty Name (model '{d.ModelId}'); give every deployment a unique name.");
            }
            else if (!deployments.TryAdd(d.Name, d))
            {
                errors.Add($"{name} appears twice; deployment names must be unique.");
            }

            if (string.IsNullOrWhiteSpace(d.ModelId))
            {
                errors.Add($"{name}.ModelId is empty; set the model id the deployment serves.");
            }

            if (double.IsNaN(d.Weight) || double.IsInfinity(d.Weight) || d.Weight <= 0)
            {
                errors.Add($"{name}.Weight must be positive and finite; was {d.Weight}.");
            }

            if (d.RequestsPerMinute is <= 0)
            {
                errors.Add($"{name}.RequestsPerMinute must be positive, or null for no limit; was {d.RequestsPerMinute}.");
            }

            if (d.TokensPerMinute is <= 0)
            {
                errors.Add($"{name}.TokensPerMinute must be positive, or null for no limit; was {d.TokensPerMinute}.");
            }

            if (d.ContextWindow is <= 0)
            {
                errors.Add($"{name}.ContextWindow must be positive, or null to take it from the catalog; was {d.ContextWindow}.");
            }

            if (d.Tier is { IsEmpty: true })
            {
                errors.Add($"{name}.Tier has an empty name; use Small, Medium, Large, a tier of your own, or null.");
            }
        }

        var groups = new Dictionary<string, ModelGroup>(StringComparer.OrdinalIgnoreCase);
        foreach (var g in Groups)
        {
            if (g is null)
            {
                errors.Add("ModelRoutingOptions.Groups contains null; remove it.");
                continue;
            }

            var name = $"ModelRoutingOptions.Groups['{g.Name}']";
            if (string.IsNullOrWhiteSpace(g.Name))
            {
                errors.Add("A group in ModelRoutingOptions.Groups has an empty Name; give every group the name callers use.");
                continue;
            }

            if (!groups.TryAdd(g.Name, g))
            {
                errors.Add($"{name} appears twice; group names must be unique.");
            }

            if (deployments.ContainsKey(g.Name))
            {
                errors.Add($"{name} has the name of a deployment; group and deployment names must differ.");
            }

            if (string.Equals(g.Name, AutoModelId, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{name} uses the reserved name '{AutoModelId}', which asks the policy to choose; rename the group.");
            }

            if (g.Deployments is null || g.Deployments.Count == 0)
            {
                errors.Add($"{name} has no deployments; list at least one deployment name or remove the group.");
            }
            else
            {
                foreach (var d in g.Deployments)
                {
                    if (d is null || !deployments.ContainsKey(d))
                    {
                        errors.Add($"{name} lists deployment '{d}', which is not in ModelRoutingOptions.Deployments; add it or remove it from the group.");
                    }
                }
            }

            if (!Enum.IsDefined(g.LoadBalancing))
            {
                errors.Add($"{name}.LoadBalancing is {(int)g.LoadBalancing}; use one of {string.Join(", ", Enum.GetNames<LoadBalancingStrategy>())}.");
            }

            if (g.Tier is { IsEmpty: true })
            {
                errors.Add($"{name}.Tier has an empty name; use Small, Medium, Large, a tier of your own, or null.");
            }

            if (g.HedgeAfter is { } hedge)
            {
                if (hedge <= TimeSpan.Zero || hedge > TimeSpan.FromDays(1))
                {
                    errors.Add($"{name}.HedgeAfter must be positive and at most one day, or null for no hedging; was {hedge}.");
                }
                else if (g.Deployments is { Count: < 2 })
                {
                    errors.Add($"{name}.HedgeAfter is {hedge}, but the group has {g.Deployments.Count} deployment; hedging races a second deployment of the group, so add one or clear HedgeAfter.");
                }
            }
        }

        foreach (var g in groups.Values)
        {
            foreach (var (list, label) in new[] { (g.Fallbacks, "Fallbacks"), (g.ContentPolicyFallbacks, "ContentPolicyFallbacks") })
            {
                foreach (var f in list ?? [])
                {
                    if (f is null || !groups.ContainsKey(f))
                    {
                        errors.Add($"ModelRoutingOptions.Groups['{g.Name}'].{label} names group '{f}', which does not exist; add the group or remove the fallback.");
                    }
                    else if (string.Equals(f, g.Name, StringComparison.OrdinalIgnoreCase))
                    {
                        errors.Add($"ModelRoutingOptions.Groups['{g.Name}'].{label} names the group itself; remove it.");
                    }
                }
            }
        }

        foreach (var cycle in FindFallbackCycles(groups))
        {
            errors.Add($"ModelRoutingOptions.Groups has a fallback cycle: {cycle}; remove one of these fallbacks.");
        }

        if (DefaultGroup is not null && !groups.ContainsKey(DefaultGroup))
        {
            errors.Add($"ModelRoutingOptions.DefaultGroup is '{DefaultGroup}', which is not in ModelRoutingOptions.Groups; add the group or clear DefaultGroup.");
        }

        if (Groups.Count == 0)
        {
            errors.Add("ModelRoutingOptions.Groups is empty; add at least one group of deployments.");
        }

        if (MaxAttempts is < 1 or > 100)
        {
            errors.Add($"ModelRoutingOptions.MaxAttempts must be in [1, 100]; was {MaxAttempts}.");
        }

        if (EstimatedOutputTokens < 0)
        {
            errors.Add($"ModelRoutingOptions.EstimatedOutputTokens must be zero or more; was {EstimatedOutputTokens}.");
        }

        var seenTiers = new HashSet<ModelTier>();
        foreach (var tier in TierOrder)
        {
            if (tier.IsEmpty || !seenTiers.Add(tier))
            {
                errors.Add($"ModelRoutingOptions.TierOrder must list distinct, named tiers; '{tier}' is empty or repeated.");
            }
        }

        Resilience.Validate(errors);
        Cascade.Validate(errors);
        Budget.Validate(errors);
        return errors;
    }

    private static List<string> FindFallbackCycles(Dictionary<string, ModelGroup> groups)
    {
        // Depth-first search with colours; each back edge closes a cycle, reported once by its path.
        var cycles = new List<string>();
        var state = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var path = new List<string>();
        foreach (var name in groups.Keys)
        {
            Visit(name);
        }

        return cycles;

        void Visit(string name)
        {
            if (state.TryGetValue(name, out var s))
            {
                if (s == 1)
                {
                    var start = path.FindIndex(p => string.Equals(p, name, StringComparison.OrdinalIgnoreCase));
                    cycles.Add(string.Join(" -> ", path.Skip(start).Append(name)));
                }

                return;
            }

            state[name] = 1;
            path.Add(name);
            foreach (var next in Next(groups[name]))
            {
                if (groups.ContainsKey(next) && !string.Equals(next, name, StringComparison.OrdinalIgnoreCase))
                {
                    Visit(next);
                }
            }

            path.RemoveAt(path.Count - 1);
            state[name] = 2;
        }

        static IEnumerable<string> Next(ModelGroup g)
            => (g.Fallbacks ?? []).Concat(g.ContentPolicyFallbacks ?? []).Where(static f => f is not null);
    }
}
