namespace LlmOps.Vectors;

/// <summary>
/// Thrown when a saved vector index cannot be loaded because the data is truncated, corrupted, of an unsupported
/// version, or does not match the index it is loaded into. The index in memory is left unchanged.
/// </summary>
public sealed class VectorIndexFormatException : IOException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public VectorIndexFormatException()
        : base("The vector index data is not valid.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    public VectorIndexFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="innerException">The underlying error.</param>
    public VectorIndexFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
