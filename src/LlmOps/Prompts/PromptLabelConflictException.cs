namespace LlmOps.Prompts;

/// <summary>
/// A label move lost a race: the label no longer points at the version the move expected
/// (<see cref="PromptLabelMove.FromVersion"/>), because another writer (often another instance) moved it first. Nothing
/// was written. Reload the label and decide again; the winner's move is in the label history.
/// </summary>
public sealed class PromptLabelConflictException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="PromptLabelConflictException"/> class.</summary>
    public PromptLabelConflictException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PromptLabelConflictException"/> class.</summary>
    /// <param name="message">The message.</param>
    public PromptLabelConflictException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PromptLabelConflictException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PromptLabelConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the move that was rejected, when known.</summary>
    public PromptLabelMove? Move { get; init; }

    /// <summary>Gets the version the label pointed at when the move was rejected (<see langword="null"/>: no such label, or unknown).</summary>
    public int? ActualVersion { get; init; }

    /// <summary>Creates the exception for a rejected move, with a message that names the prompt, label and versions.</summary>
    /// <param name="move">The rejected move.</param>
    /// <param name="actualVersion">The version the label points at now, or <see langword="null"/>.</param>
    /// <returns>The exception.</returns>
    internal static PromptLabelConflictException For(PromptLabelMove move, int? actualVersion)
        => new($"Label '{move.Label}' of prompt '{move.PromptName}' was moved by another writer: expected it at {Describe(move.FromVersion)}, but it is at {Describe(actualVersion)}. Nothing was written; reload the label and move it again if you still want version {move.ToVersion}.")
        {
            Move = move,
            ActualVersion = actualVersion,
        };

    private static string Describe(int? version) => version is int v ? $"version {v}" : "no version (label absent)";
}
