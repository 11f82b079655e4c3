namespace LlmOps;

/// <summary>
/// The standard stage order (DESIGN.md, "The pipeline"), in one table. <see cref="LlmOpsChatClientBuilderExtensions.UseLlmOps"/>
/// applies <see cref="Stages"/> outermost first; a stage that was not registered with its <c>AddXxx</c> is skipped.
/// Adding a concern to the pipeline is one line here: its <see cref="PipelineStage{TOptions}"/>.
/// </summary>
internal static class LlmOpsPipeline
{
    /// <summary>Gets the stages, outermost first.</summary>
    public static IReadOnlyList<IPipelineStage> Stages { get; } =
    [
        InstrumentingChatClientBuilderExtensions.Stage,      // request span; TTFT, tokens/s, cost, outcome
        GuardrailsChatClientBuilderExtensions.Stage,         // input before anything costs money; output on every answer
        PromptRegistryChatClientBuilderExtensions.Stage,     // prompt reference -> rendered messages + settings
        GroundingChatClientBuilderExtensions.Stage,          // retrieved sources with citation markers; refusal when thin
        SemanticCachingChatClientBuilderExtensions.Stage,    // exact, then semantic; sees the rendered, grounded request
        ModelRoutingChatClientBuilderExtensions.Stage,       // model choice, cascade, fallback, budget admission; per attempt below
        CostMeteringChatClientBuilderExtensions.Stage,       // per provider call, innermost
    ];
}
