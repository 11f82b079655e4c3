namespace LlmOps.Routing;

/// <summary>How <see cref="RoutingFailureClassifier"/> (or <see cref="ModelRoutingOptions.ClassifyFailure"/>) reads a failed attempt.</summary>
/// <param name="Kind">The kind of failure.</param>
/// <param name="StatusCode">The HTTP status code, when known.</param>
/// <param name="RetryAfter">The delay the provider asked for (<c>Retry-After</c>), when given.</param>
public readonly record struct RoutingFailure(RoutingFailureKind Kind, int? StatusCode = null, TimeSpan? RetryAfter = null)
{
    /// <summary>Gets a value indicating whether the attempt may be retried on the same deployment.</summary>
    public bool IsRetryable => Kind is RoutingFailureKind.Transient or RoutingFailureKind.RateLimited or RoutingFailureKind.Timeout;

    /// <summary>Gets a value indicating whether the request may move to another deployment or group.</summary>
    public bool CanFailOver => IsRetryable || Kind is RoutingFailureKind.Unavailable or RoutingFailureKind.ContextWindowExceeded or RoutingFailureKind.ContentFiltered;

    /// <summary>Gets a value indicating whether the failure counts toward the deployment's circuit breaker (its health).</summary>
    public bool CountsTowardCircuit => IsRetryable;
}
