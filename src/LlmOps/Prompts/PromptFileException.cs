namespace LlmOps.Prompts;

/// <summary>A prompt file is malformed. The message names the file, the line and the problem.</summary>
public sealed class PromptFileException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="PromptFileException"/> class.</summary>
    public PromptFileException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PromptFileException"/> class.</summary>
    /// <param name="message">The message.</param>
    public PromptFileException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PromptFileException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PromptFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the path of the malformed file.</summary>
    public string? FilePath { get; init; }

    /// <summary>Gets the 1-based line of the problem, when known.</summary>
    public int? Line { get; init; }
}
