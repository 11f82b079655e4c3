namespace LlmOps.Prompts;

/// <summary>Model settings a prompt version carries; each <see langword="null"/> value leaves the caller's setting alone.</summary>
public sealed record PromptModelSettings
{
    /// <summary>Gets the model id or tier name to request.</summary>
    public string? ModelId { get; init; }

    /// <summary>Gets the sampling temperature.</summary>
    public float? Temperature { get; init; }

    /// <summary>Gets the maximum number of output tokens.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>Gets the response format: <c>text</c> or <c>json</c>.</summary>
    public string? ResponseFormat { get; init; }
}
