using Microsoft.Extensions.Logging;

namespace LlmOps.Routing;

/// <summary>The routing stage's log messages (EventIds 1700–1799): every failure it absorbs is logged once.</summary>
internal static partial class RoutingLog
{
    [LoggerMessage(EventId = 1700, EventName = "RoutingAttemptRetried", Level = LogLevel.Warning,
        Message = "Attempt {Attempt} on deployment '{Deployment}' (group '{Group}') failed with {Failure}; retrying it in {Delay}.")]
    public static partial void AttemptRetried(ILogger logger, int attempt, string deployment, string group, RoutingFailureKind failure, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 1701, EventName = "RoutingFailedOver", Level = LogLevel.Warning,
        Message = "Attempt {Attempt} on deployment '{Deployment}' (group '{Group}') failed with {Failure}; failing over.")]
    public static partial void FailedOver(ILogger logger, int attempt, string deployment, string group, RoutingFailureKind failure, Exception exception);

    [LoggerMessage(EventId = 1702, EventName = "RoutingCircuitOpened", Level = LogLevel.Warning,
        Message = "The circuit of deployment '{Deployment}' opened; it cools down for {Duration}.")]
    public static partial void CircuitOpened(ILogger logger, string deployment, TimeSpan duration, Exception? exception);

    [LoggerMessage(EventId = 1703, EventName = "RoutingCircuitClosed", Level = LogLevel.Information,
        Message = "The circuit of deployment '{Deployment}' closed; it is back in service.")]
    public static partial void CircuitClosed(ILogger logger, string deployment);

    [LoggerMessage(EventId = 1704, EventName = "RoutingEscalated", Level = LogLevel.Information,
        Message = "Verifier '{Verifier}' rejected the answer of deployment '{Deployment}' (tier {Tier}): {Reason}; escalating.")]
    public static partial void Escalated(ILogger logger, string verifier, string deployment, string tier, string reason);

    [LoggerMessage(EventId = 1705, EventName = "RoutingVerifierFailed", Level = LogLevel.Warning,
        Message = "Verifier '{Verifier}' threw; the answer is accepted (verifiers fail open).")]
    public static partial void VerifierFailed(ILogger logger, string verifier, Exception exception);

    [LoggerMessage(EventId = 1706, EventName = "RoutingBudgetDowngrade", Level = LogLevel.Information,
        Message = "The budget moved the request from tier {FromTier} to {ToTier} (group '{Group}'): {Reason}.")]
    public static partial void BudgetDowngrade(ILogger logger, string fromTier, string toTier, string group, string reason);

    [LoggerMessage(EventId = 1707, EventName = "RoutingPolicyFailed", Level = LogLevel.Warning,
        Message = "Routing policy {Policy} threw; the request goes to the default group.")]
    public static partial void PolicyFailed(ILogger logger, string policy, Exception exception);

    [LoggerMessage(EventId = 1708, EventName = "RoutingHedgeCancelled", Level = LogLevel.Debug,
        Message = "A hedged attempt on deployment '{Deployment}' lost the race and was cancelled.")]
    public static partial void HedgeCancelled(ILogger logger, string deployment);

    [LoggerMessage(EventId = 1709, EventName = "RoutingHedgeStarted", Level = LogLevel.Information,
        Message = "Deployment '{Deployment}' had not answered after {Delay}; hedging on deployment '{Hedge}' (group '{Group}').")]
    public static partial void HedgeStarted(ILogger logger, string deployment, TimeSpan delay, string hedge, string group);
}
