namespace LlmOps.Routing;

/// <summary>
/// Every instrument, activity and attribute name the routing stage emits, on the <c>LlmOps</c> meter and activity source.
/// </summary>
public static class RoutingTelemetryNames
{
    /// <summary>Counter, <c>{attempt}</c>: provider attempts, tagged by group, deployment and <see cref="OutcomeAttribute"/>.</summary>
    public const string Attempts = "llmops.routing.attempts";

    /// <summary>Histogram, <c>s</c>: the duration of one provider attempt (to the first chunk when streaming), tagged by group and deployment.</summary>
    public const string AttemptDuration = "llmops.routing.attempt.duration";

    /// <summary>Counter, <c>{retry}</c>: retries on the same deployment, tagged by group, deployment and <see cref="FailureAttribute"/>.</summary>
    public const string Retries = "llmops.routing.retries";

    /// <summary>Counter, <c>{failover}</c>: moves to another deployment or group, tagged by group, deployment (the one left) and <see cref="FailureAttribute"/>.</summary>
    public const string Failovers = "llmops.routing.failovers";

    /// <summary>Counter, <c>{change}</c>: circuit breaker state changes, tagged by deployment and <see cref="CircuitStateAttribute"/>.</summary>
    public const string CircuitStateChanges = "llmops.routing.circuit.state_changes";

    /// <summary>Counter, <c>{hedge}</c>: second attempts started by a hedging group, tagged by group and deployment (the hedge's).</summary>
    public const string Hedges = "llmops.routing.hedges";

    /// <summary>Counter, <c>{escalation}</c>: cascade escalations, tagged by group, tier and <see cref="VerifierAttribute"/>.</summary>
    public const string Escalations = "llmops.routing.escalations";

    /// <summary>Counter, <c>{request}</c>: the tier chosen for each request, tagged by <see cref="TierAttribute"/>, group and <see cref="DecisionAttribute"/>.</summary>
    public const string TierChosen = "llmops.routing.tier_chosen";

    /// <summary>Counter, <c>{request}</c>: requests moved to a cheaper tier by the budget, tagged by the tier chosen and the tier used.</summary>
    public const string BudgetDowngrades = "llmops.routing.budget_downgrades";

    /// <summary>Activity: one child span per provider attempt, under the request's span.</summary>
    public const string AttemptActivity = "llmops.routing.attempt";

    /// <summary>Attribute: the model group name.</summary>
    public const string GroupAttribute = "llmops.routing.group";

    /// <summary>Attribute: the deployment name.</summary>
    public const string DeploymentAttribute = "llmops.routing.deployment";

    /// <summary>Attribute: the deployment's region or provider tag.</summary>
    public const string RegionAttribute = "llmops.routing.region";

    /// <summary>Attribute: the tier (Small, Medium, Large or a custom name).</summary>
    public const string TierAttribute = "llmops.routing.tier";

    /// <summary>Attribute: the 1-based attempt number within the request (spans only).</summary>
    public const string AttemptNumberAttribute = "llmops.routing.attempt.number";

    /// <summary>Attribute: how an attempt ended (<see cref="RoutingAttemptResult"/> in snake case: succeeded, retried, failed_over, escalated, failed, cancelled).</summary>
    public const string OutcomeAttribute = "llmops.routing.outcome";

    /// <summary>Attribute: <see langword="true"/> on the span of an attempt a hedging group started (spans only).</summary>
    public const string HedgedAttribute = "llmops.routing.hedged";

    /// <summary>Attribute: the failure kind (<see cref="RoutingFailureKind"/> in snake case).</summary>
    public const string FailureAttribute = "llmops.routing.failure";

    /// <summary>Attribute: what chose the group: explicit, tier, default, policy.</summary>
    public const string DecisionAttribute = "llmops.routing.decision";

    /// <summary>Attribute: a circuit's new state: closed, open, half_open.</summary>
    public const string CircuitStateAttribute = "llmops.routing.circuit.state";

    /// <summary>Attribute: the name of the cascade verifier that rejected an answer.</summary>
    public const string VerifierAttribute = "llmops.routing.verifier";

    /// <summary>Attribute: the tier a budget downgrade moved the request from.</summary>
    public const string FromTierAttribute = "llmops.routing.from_tier";
}
