namespace LlmOps.Routing;

/// <summary>How one provider attempt of a routed request ended.</summary>
public enum RoutingAttemptResult
{
    /// <summary>The attempt answered and the answer was kept.</summary>
    Succeeded,

    /// <summary>The attempt failed and the same deployment was tried again.</summary>
    Retried,

    /// <summary>The attempt failed and the request moved to another deployment or group.</summary>
    FailedOver,

    /// <summary>The attempt answered, a cascade verifier rejected the answer, and the request moved up a tier.</summary>
    Escalated,

    /// <summary>The attempt failed and its failure ended the request (surfaced, or nothing was left to try).</summary>
    Failed,

    /// <summary>The attempt lost a hedging race or was cancelled by the caller.</summary>
    Cancelled,
}
