namespace LlmOps.Prompts;

/// <summary>A prompt could not be rendered: a required variable is missing, a variable is unknown, or the template is malformed.</summary>
public sealed class PromptRenderException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="PromptRenderException"/> class.</summary>
    public PromptRenderException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PromptRenderException"/> class.</summary>
    /// <param name="message">The message.</param>
    public PromptRenderException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PromptRenderException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PromptRenderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the variable at fault, when one is.</summary>
    public string? VariableName { get; init; }

    /// <summary>Gets the prompt as <c>name@version</c>.</summary>
    public string? Prompt { get; init; }
}
