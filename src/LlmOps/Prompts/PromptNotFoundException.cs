namespace LlmOps.Prompts;

/// <summary>The requested prompt, version or label does not exist in the registry.</summary>
public sealed class PromptNotFoundException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="PromptNotFoundException"/> class.</summary>
    public PromptNotFoundException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PromptNotFoundException"/> class.</summary>
    /// <param name="message">The message.</param>
    public PromptNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PromptNotFoundException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PromptNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
