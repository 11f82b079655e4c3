namespace LlmOps.Prompts;

/// <summary>The attribute keys the prompts stage adds to the request's tags (and so to its span and metrics).</summary>
public static class PromptsTelemetryNames
{
    /// <summary>Attribute, string: the prompt name.</summary>
    public const string PromptNameAttribute = "llmops.prompt.name";

    /// <summary>Attribute, int: the prompt version.</summary>
    public const string PromptVersionAttribute = "llmops.prompt.version";

    /// <summary>Attribute, string: the label the prompt was resolved by, when one was given.</summary>
    public const string PromptLabelAttribute = "llmops.prompt.label";

    /// <summary>Attribute, string: the experiment that assigned the variant.</summary>
    public const string PromptExperimentAttribute = "llmops.prompt.experiment";

    /// <summary>Attribute, string: the experiment variant the request was assigned to.</summary>
    public const string PromptVariantAttribute = "llmops.prompt.variant";
}
