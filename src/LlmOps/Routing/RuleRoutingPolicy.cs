using Microsoft.Extensions.AI;

namespace LlmOps.Routing;

/// <summary>
/// Routes by rules (prompt name, scope, tools requested, JSON schema requested, or any condition), first match wins;
/// when no rule matches, asks <see cref="Then"/> (for example a <see cref="ComplexityScorer"/>). Thread-safe.
/// </summary>
/// <param name="rules">The rules, tried in order.</param>
/// <param name="then">The policy asked when no rule matches, or <see langword="null"/>.</param>
public sealed class RuleRoutingPolicy(IEnumerable<RoutingRule> rules, IRoutingPolicy? then = null) : IRoutingPolicy
{
    private readonly RoutingRule[] _rules = [.. rules ?? throw new ArgumentNullException(nameof(rules))];

    /// <summary>Gets the rules, in order.</summary>
    public IReadOnlyList<RoutingRule> Rules => _rules;

    /// <summary>Gets the policy asked when no rule matches.</summary>
    public IRoutingPolicy? Then { get; } = then;

    /// <inheritdoc/>
    public RoutingDecision? Choose(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        foreach (var rule in _rules)
        {
            if (rule.Matches(messages, options))
            {
                return rule.Decision;
            }
        }

        return Then?.Choose(messages, options);
    }
}
