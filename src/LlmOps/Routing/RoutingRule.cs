using LlmOps.Metering;
using Microsoft.Extensions.AI;

namespace LlmOps.Routing;

/// <summary>One rule of a <see cref="RuleRoutingPolicy"/>: when its condition holds, the request goes to a tier or group.</summary>
public sealed class RoutingRule
{
    private readonly Func<IReadOnlyList<ChatMessage>, ChatOptions?, bool> _condition;

    /// <summary>Initializes a new instance of the <see cref="RoutingRule"/> class.</summary>
    /// <param name="name">A short, bounded name reported as the routing reason (<c>rule: name</c>).</param>
    /// <param name="condition">Tests the request.</param>
    /// <param name="decision">The tier or group to use when the condition holds.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="condition"/> or <paramref name="decision"/> is <see langword="null"/>.</exception>
    public RoutingRule(string name, Func<IReadOnlyList<ChatMessage>, ChatOptions?, bool> condition, RoutingDecision decision)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(decision);
        Name = name;
        _condition = condition;
        Decision = decision with { Reason = $"rule: {name}" };
    }

    /// <summary>Gets the rule's name.</summary>
    public string Name { get; }

    /// <summary>Gets the decision the rule makes.</summary>
    public RoutingDecision Decision { get; }

    /// <summary>Creates a rule for requests rendered from a prompt (by the prompts stage) with this name.</summary>
    /// <param name="promptName">The prompt name.</param>
    /// <param name="tier">The tier.</param>
    /// <returns>The rule.</returns>
    public static RoutingRule ForPrompt(string promptName, ModelTier tier)
    {
        ArgumentException.ThrowIfNullOrEmpty(promptName);
        return new($"prompt {promptName}", (_, o) => o.GetLlmOpsInfo()?.TryGetTag(Prompts.PromptsTelemetryNames.PromptNameAttribute, out var name) == true
            && string.Equals(name as string, promptName, StringComparison.Ordinal), RoutingDecision.ForTier(tier, string.Empty));
    }

    /// <summary>Creates a rule for requests whose scope has this tenant and, when given, this feature.</summary>
    /// <param name="tenant">The tenant, or <see langword="null"/> for any.</param>
    /// <param name="feature">The feature, or <see langword="null"/> for any.</param>
    /// <param name="tier">The tier.</param>
    /// <returns>The rule.</returns>
    public static RoutingRule ForScope(string? tenant, string? feature, ModelTier tier)
        => new($"scope {tenant ?? "*"}/{feature ?? "*"}", (_, o) =>
        {
            var scope = o.GetScope();
            return (tenant is null || scope.Tenant == tenant) && (feature is null || scope.Feature == feature);
        }, RoutingDecision.ForTier(tier, string.Empty));

    /// <summary>Creates a rule for requests that offer the model tools.</summary>
    /// <param name="tier">The tier.</param>
    /// <returns>The rule.</returns>
    public static RoutingRule WhenToolsRequested(ModelTier tier)
        => new("tools", static (_, o) => o?.Tools is { Count: > 0 }, RoutingDecision.ForTier(tier, string.Empty));

    /// <summary>Creates a rule for requests that ask for JSON that follows a schema.</summary>
    /// <param name="tier">The tier.</param>
    /// <returns>The rule.</returns>
    public static RoutingRule WhenJsonSchemaRequested(ModelTier tier)
        => new("json schema", static (_, o) => o?.ResponseFormat is ChatResponseFormatJson { Schema: not null }, RoutingDecision.ForTier(tier, string.Empty));

    /// <summary>Tests the rule.</summary>
    /// <param name="messages">The request messages.</param>
    /// <param name="options">The request options.</param>
    /// <returns><see langword="true"/> when the rule applies.</returns>
    public bool Matches(IReadOnlyList<ChatMessage> messages, ChatOptions? options) => _condition(messages, options);
}
