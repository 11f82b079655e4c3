namespace LlmOps.Evaluation.Testing;

/// <summary>A prompt assertion failed; the message lists every run with its value and response.</summary>
public sealed class PromptAssertionException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="PromptAssertionException"/> class.</summary>
    public PromptAssertionException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PromptAssertionException"/> class.</summary>
    /// <param name="message">What failed.</param>
    public PromptAssertionException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PromptAssertionException"/> class.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public PromptAssertionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
