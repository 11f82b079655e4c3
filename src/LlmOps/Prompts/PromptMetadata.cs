namespace LlmOps.Prompts;

/// <summary>Descriptive metadata of a prompt version. It is not part of the content hash.</summary>
public sealed record PromptMetadata
{
    /// <summary>Gets who wrote the version.</summary>
    public string? Author { get; init; }

    /// <summary>Gets a description of the version.</summary>
    public string? Description { get; init; }

    /// <summary>Gets free-form tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
}
