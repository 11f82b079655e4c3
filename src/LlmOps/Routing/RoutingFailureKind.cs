namespace LlmOps.Routing;

/// <summary>What kind of failure a provider attempt ended with; decides whether it is retried, fails over or surfaces.</summary>
public enum RoutingFailureKind
{
    /// <summary>A server-side or network failure (500, 502, 503, 504, connection reset): retried, then failed over.</summary>
    Transient,

    /// <summary>The provider's rate limit (429): retried after <c>Retry-After</c> when short enough, else failed over.</summary>
    RateLimited,

    /// <summary>The attempt timed out (408, <see cref="TimeoutException"/>, the attempt or first-token timeout): retried, then failed over.</summary>
    Timeout,

    /// <summary>The deployment's circuit is open (cooling down) or it has no RPM/TPM room: failed over at once.</summary>
    Unavailable,

    /// <summary>The request overflowed the model's context window: failed over only to a deployment with a larger window.</summary>
    ContextWindowExceeded,

    /// <summary>The provider refused the content (content filter): failed over only to a content-policy fallback group, else surfaced.</summary>
    ContentFiltered,

    /// <summary>The credentials were refused (401, 403): surfaced at once as a <see cref="ModelRoutingException"/> naming the deployment.</summary>
    Unauthorized,

    /// <summary>The request is invalid (400, 404, 413, 422): surfaced at once, unchanged.</summary>
    ClientError,

    /// <summary>The caller cancelled: surfaced at once.</summary>
    Cancelled,
}
