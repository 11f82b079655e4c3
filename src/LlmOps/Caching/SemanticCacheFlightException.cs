namespace LlmOps.Caching;

/// <summary>
/// Thrown to a request that waited on an identical in-flight request and got no shareable answer, when
/// <see cref="SemanticCacheOptions.SingleFlightFallback"/> is <see cref="SemanticCacheFlightFallback.FailFast"/>. The
/// message says why; <see cref="Exception.InnerException"/> is the leader's exception when the leader failed.
/// </summary>
public sealed class SemanticCacheFlightException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="SemanticCacheFlightException"/> class.</summary>
    public SemanticCacheFlightException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SemanticCacheFlightException"/> class.</summary>
    /// <param name="message">The message.</param>
    public SemanticCacheFlightException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SemanticCacheFlightException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The leader's exception, or <see langword="null"/>.</param>
    public SemanticCacheFlightException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
