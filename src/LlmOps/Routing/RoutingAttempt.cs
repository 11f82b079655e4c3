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
    bool Hedged = false)
{
    // The failure as two fields instead of a RoutingFailureKind? (8 bytes, 3 of them padding): the flag packs with Hedged,
    // so an attempt is 64 B instead of 72, and RoutingInfo, which holds the first attempt inline, 8 B smaller.
    private readonly RoutingFailureKind _failure = Failure.GetValueOrDefault();
    private readonly bool _failed = Failure.HasValue;

    /// <summary>Gets the failure, when the attempt failed.</summary>
    public RoutingFailureKind? Failure
    {
        get => _failed ? _failure : null;
        init
        {
            _failure = value.GetValueOrDefault();
            _failed = value.HasValue;
        }
    }
}
