namespace LlmOps.Prompts;

/// <summary>A prompt a request asks for: <c>options.WithPrompt(name, variables, version, label)</c>.</summary>
public sealed record PromptReference
{
    /// <summary>Gets the prompt name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the variable values.</summary>
    public IReadOnlyDictionary<string, object?> Variables { get; init; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>Gets the version to use; it bypasses any experiment.</summary>
    public int? Version { get; init; }

    /// <summary>Gets the label to use; it bypasses any experiment. Neither version nor label means <c>latest</c>, or the experiment's variant.</summary>
    public string? Label { get; init; }

    /// <summary>Gets the experiment subject (user or session id); defaults to the scope's user, then tenant.</summary>
    public string? Subject { get; init; }
}
