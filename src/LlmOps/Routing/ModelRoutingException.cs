namespace LlmOps.Routing;

/// <summary>
/// Thrown by <see cref="ModelRoutingChatClient"/> when a request cannot be routed: no deployment is left to try (the
/// inner exception is the last failure), a deployment refused the credentials, or the request names an unknown model group.
/// </summary>
public sealed class ModelRoutingException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ModelRoutingException"/> class.</summary>
    public ModelRoutingException()
        : this("The request could not be routed to any deployment.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ModelRoutingException"/> class.</summary>
    /// <param name="message">The message.</param>
    public ModelRoutingException(string message)
        : base(message)
    {
        Attempts = [];
    }

    /// <summary>Initializes a new instance of the <see cref="ModelRoutingException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The last failure.</param>
    public ModelRoutingException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Attempts = [];
    }

    /// <summary>Initializes a new instance of the <see cref="ModelRoutingException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The last failure.</param>
    /// <param name="attempts">The attempts made.</param>
    public ModelRoutingException(string message, Exception? innerException, IReadOnlyList<RoutingAttempt> attempts)
        : base(message, innerException)
    {
        Attempts = attempts ?? [];
    }

    /// <summary>Gets the provider attempts made before the request failed.</summary>
    public IReadOnlyList<RoutingAttempt> Attempts { get; }
}
