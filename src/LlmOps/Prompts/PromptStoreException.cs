namespace LlmOps.Prompts;

/// <summary>
/// A stored prompt cannot be read: a prompt file is malformed, half-written or names the wrong prompt. The message
/// names the file, the line and the problem. The other versions of the prompt stay readable.
/// </summary>
public sealed class PromptStoreException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="PromptStoreException"/> class.</summary>
    public PromptStoreException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PromptStoreException"/> class.</summary>
    /// <param name="message">The message.</param>
    public PromptStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PromptStoreException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PromptStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the path of the unreadable file, when the store is file-based.</summary>
    public string? FilePath { get; init; }

    /// <summary>Gets the 1-based line of the problem, when known.</summary>
    public int? Line { get; init; }

    /// <summary>Gets the version the unreadable file holds, when known from its name.</summary>
    public int? Version { get; init; }
}
