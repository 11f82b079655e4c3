namespace LlmOps.Caching;

/// <summary>
/// What a request does when it waited on an identical in-flight request (single-flight) and got no shareable answer:
/// the leader failed, was cancelled, or produced an answer that may not be cached (blocked, truncated, filtered), or the
/// wait timed out (<see cref="SemanticCacheOptions.SingleFlightTimeout"/>).
/// </summary>
public enum SemanticCacheFlightFallback
{
    /// <summary>The waiter calls the provider itself, as if it had arrived alone (the default).</summary>
    CallProvider,

    /// <summary>The waiter fails at once with a <see cref="SemanticCacheFlightException"/> carrying the reason (and the leader's exception).</summary>
    FailFast,
}
