using Microsoft.Extensions.AI;

namespace LlmOps;

/// <summary>
/// The options a request travels with below the stage that created its <see cref="LlmOpsInfo"/>: a copy of the caller's
/// <see cref="ChatOptions"/> that carries the info in a field instead of an entry of
/// <see cref="ChatOptions.AdditionalProperties"/>.
/// </summary>
/// <remarks>
/// <para>
/// Joining a request used to clone the caller's options and copy their property dictionary to add one entry (about
/// 470 B when the caller set a scope or a cache mode). This copy shares the caller's dictionary instead, which no stage
/// writes in place: every LlmOps stage that adds a property goes through
/// <see cref="LlmOpsChatOptionsExtensions.WithProperty"/>, whose <see cref="Clone"/> copies it. Every other setting is
/// copied the way <see cref="ChatOptions.Clone"/> copies it (lists and reasoning options as new instances), so nothing a
/// stage sets on this copy reaches the caller's instance.
/// </para>
/// <para>
/// A clone (<see cref="Clone"/>, which MEAI middleware and the stages call before changing a setting) keeps the info, as
/// the dictionary entry did.
/// </para>
/// </remarks>
internal sealed class LlmOpsRequestOptions : ChatOptions
{
    /// <summary>Initializes a new instance of the <see cref="LlmOpsRequestOptions"/> class: a copy of <paramref name="source"/> that shares its property dictionary.</summary>
    /// <param name="source">The caller's options, or <see langword="null"/>.</param>
    /// <param name="info">The request's info.</param>
    public LlmOpsRequestOptions(ChatOptions? source, LlmOpsInfo info)
    {
        Info = info;
        if (source is null)
        {
            return;
        }

        // Mirrors ChatOptions' copy constructor (MEAI 11) except for AdditionalProperties, which is shared;
        // LlmOpsRequestOptionsTests checks every public property against Clone() so a new MEAI property is not dropped.
        // A reference that is null is not copied (the new instance's is null already): each copied reference costs a GC
        // write barrier, and a caller's options set few of them.
        if (source.ConversationId is { } conversationId)
        {
            ConversationId = conversationId;
        }

        if (source.Instructions is { } instructions)
        {
            Instructions = instructions;
        }

        Temperature = source.Temperature;
        MaxOutputTokens = source.MaxOutputTokens;
        TopP = source.TopP;
        TopK = source.TopK;
        FrequencyPenalty = source.FrequencyPenalty;
        PresencePenalty = source.PresencePenalty;
        Seed = source.Seed;
        if (source.Reasoning is { } reasoning)
        {
            Reasoning = new ReasoningOptions { Effort = reasoning.Effort, Output = reasoning.Output };
        }

        if (source.ResponseFormat is { } responseFormat)
        {
            ResponseFormat = responseFormat;
        }

        if (source.ModelId is { } modelId)
        {
            ModelId = modelId;
        }

        if (source.StopSequences is { } stop)
        {
            StopSequences = new List<string>(stop);
        }

        AllowMultipleToolCalls = source.AllowMultipleToolCalls;
        if (source.ToolMode is { } toolMode)
        {
            ToolMode = toolMode;
        }

        if (source.Tools is { } tools)
        {
            Tools = new List<AITool>(tools);
        }

        AllowBackgroundResponses = source.AllowBackgroundResponses;
        if (source.ContinuationToken is { } continuationToken)
        {
            ContinuationToken = continuationToken;
        }

        if (source.RawRepresentationFactory is { } rawRepresentationFactory)
        {
            RawRepresentationFactory = rawRepresentationFactory;
        }

        if (source.AdditionalProperties is { } additionalProperties)
        {
            AdditionalProperties = additionalProperties;
        }
    }

    /// <summary>A full copy (the base copy constructor, dictionary included) that keeps the info.</summary>
    private LlmOpsRequestOptions(LlmOpsRequestOptions other)
        : base(other)
    {
        Info = other.Info;
    }

    /// <summary>Gets the request's info.</summary>
    public LlmOpsInfo Info { get; }

    /// <summary>
    /// Gets or sets the message list a stage of this request last checked (<see cref="RequestMessages.Validate(IEnumerable{ChatMessage}, string, ChatOptions?)"/>),
    /// so that inner stages given the same instance skip the walk. Not copied by <see cref="Clone"/>.
    /// </summary>
    internal IList<ChatMessage>? ValidatedMessages { get; set; }

    /// <inheritdoc/>
    public override ChatOptions Clone() => new LlmOpsRequestOptions(this);
}
