namespace LlmOps.Prompts;

/// <summary>A stored prompt version's content no longer matches the content hash recorded when it was registered.</summary>
public sealed class PromptTamperedException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="PromptTamperedException"/> class.</summary>
    public PromptTamperedException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PromptTamperedException"/> class.</summary>
    /// <param name="message">The message.</param>
    public PromptTamperedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PromptTamperedException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PromptTamperedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
