namespace LlmOps;

/// <summary>
/// The telemetry tags of the standard stages, each a pure function of a feature the same stage stores in one of
/// <see cref="LlmOpsInfo"/>'s slots. A stage publishes its tags (<see cref="LlmOpsInfo.SetWithTags{T}"/>,
/// <see cref="LlmOpsInfo.PublishTags"/>) instead of storing their values, and the info computes the values when the tags
/// are read, so a request whose only tags are these allocates no entries array. The order of the flags is the order in
/// which the tags are enumerated (the pipeline's order).
/// </summary>
[Flags]
internal enum StandardTags : ushort
{
    /// <summary>No tag.</summary>
    None = 0,

    /// <summary><c>llmops.guardrail.action</c>, from the <see cref="Guardrails.GuardrailReport"/>'s action.</summary>
    GuardrailAction = 1 << 0,

    /// <summary><c>llmops.prompt.name</c>, from the <see cref="Prompts.PromptProvenance"/>.</summary>
    PromptName = 1 << 1,

    /// <summary><c>llmops.prompt.version</c> (a boxed <see cref="int"/>), from the <see cref="Prompts.PromptProvenance"/>.</summary>
    PromptVersion = 1 << 2,

    /// <summary><c>llmops.prompt.label</c>, from the <see cref="Prompts.PromptProvenance"/>.</summary>
    PromptLabel = 1 << 3,

    /// <summary><c>llmops.prompt.experiment</c>, from the <see cref="Prompts.PromptProvenance"/>.</summary>
    PromptExperiment = 1 << 4,

    /// <summary><c>llmops.prompt.variant</c>, from the <see cref="Prompts.PromptProvenance"/>.</summary>
    PromptVariant = 1 << 5,

    /// <summary><c>llmops.grounding.grounded</c> (a boxed <see cref="bool"/>), from the <see cref="Retrieval.GroundingResult"/>.</summary>
    Grounded = 1 << 6,

    /// <summary><c>llmops.cache.status</c>, from the <see cref="Caching.SemanticCacheResult"/>.</summary>
    CacheStatus = 1 << 7,

    /// <summary><c>llmops.cache.tier</c>, from the <see cref="Caching.SemanticCacheResult"/>.</summary>
    CacheTier = 1 << 8,

    /// <summary><c>llmops.model.tier</c>, from the <see cref="Metering.CostRecord"/>'s tier.</summary>
    ModelTier = 1 << 9,
}
