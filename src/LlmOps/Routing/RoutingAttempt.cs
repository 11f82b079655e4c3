using LlmOps.Metering;

namespace LlmOps.Routing;

/// <summary>One provider attempt of a routed request, as <c>response.GetRouting()</c> reports it. An immutable value.</summary>
/// <param name="Number">The 1-based attempt number within the request.</param>
/// <param name="Group">The model group the attempt served.</param>
/// <param name="Deployment">The deployment called.</param>
/// <param name="ModelId">The model id sent to the deployment.</param>
/// <param name="Tier">The deployment's tier, or the empty tier when unknown.</param>
/// <param name="Result">How the attempt ended.</param>
/// <param name="Failure">The failure, when the attempt failed.</param>
/// <param name="Reason">Why the attempt ended as it did (the error message or the verifier's reason), or <see langword="null"/>.</param>
/// <param name="Duration">The attempt's duration (to the first chunk when streaming).</param>
/// <param name="Hedged">Whether a hedging group started this attempt to race a slow one (see <see cref="ModelGroup.HedgeAfter"/>).</param>
public readonly record struct RoutingAttempt(
    int Number,
    string Group,
    string Deployment,
    string ModelId,
    ModelTier Tier,
    RoutingAttemptResult Result,
    RoutingFailureKind? Failure,
    string? Reason,
    TimeSpan Duration,
    bool Hedged = false);
