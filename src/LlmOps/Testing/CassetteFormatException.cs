namespace LlmOps.Testing;

/// <summary>
/// Thrown when a <see cref="ReplayChatClient"/> cassette file cannot be read: it is not valid JSON (for example,
/// truncated), has an unsupported version, or has an entry with missing fields. The message names the file and the problem.
/// </summary>
public sealed class CassetteFormatException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="CassetteFormatException"/> class.</summary>
    public CassetteFormatException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="CassetteFormatException"/> class.</summary>
    /// <param name="message">The message.</param>
    public CassetteFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="CassetteFormatException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public CassetteFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="CassetteFormatException"/> class.</summary>
    /// <param name="cassettePath">The cassette file.</param>
    /// <param name="problem">What is wrong with it.</param>
    /// <param name="innerException">The cause, if any.</param>
    public CassetteFormatException(string cassettePath, string problem, Exception? innerException)
        : base($"The cassette file '{cassettePath}' cannot be read: {problem} Fix or delete the file, then record it again (ReplayMode.Record).", innerException)
    {
        CassettePath = cassettePath;
    }

    /// <summary>Gets the path of the cassette file, when known.</summary>
    public string? CassettePath { get; }
}
