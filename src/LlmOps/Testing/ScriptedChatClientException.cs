namespace LlmOps.Testing;

/// <summary>
/// Thrown by <see cref="ScriptedChatClient"/> when no rule matches a request, or when a rule's responder fails.
/// The message lists the rules, in order, and the request's last user message.
/// </summary>
public sealed class ScriptedChatClientException : InvalidOperationException
{
    /// <summary>Initializes a new instance of the <see cref="ScriptedChatClientException"/> class.</summary>
    public ScriptedChatClientException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ScriptedChatClientException"/> class.</summary>
    /// <param name="message">The message.</param>
    public ScriptedChatClientException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ScriptedChatClientException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ScriptedChatClientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
