namespace LlmOps.Retrieval;

/// <summary>
/// Thrown when a saved retrieval index cannot be loaded: the data is truncated, corrupted, of an unsupported version
/// or built with another analyzer. The index in memory is left unchanged.
/// </summary>
public sealed class RetrievalIndexFormatException : IOException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public RetrievalIndexFormatException()
        : base("The retrieval index data is not valid.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    public RetrievalIndexFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="innerException">The underlying error.</param>
    public RetrievalIndexFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the file that failed to load, when the index was loaded from a file.</summary>
    public string? FilePath { get; init; }
}
