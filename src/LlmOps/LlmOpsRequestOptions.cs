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
        ConversationId = source.ConversationId;
        Instructions = source.Instructions;
        Temperature = source.Temperature;
        MaxOutputTokens = source.MaxOutputTokens;
        TopP = source.TopP;
        TopK = source.TopK;
        FrequencyPenalty = source.FrequencyPenalty;
        PresencePenalty = source.PresencePenalty;
        Seed = source.Seed;
        Reasoning = source.Reasoning is { } reasoning ? new ReasoningOptions { Effort = reasoning.Effort, Output = reasoning.Output } : null;
        ResponseFormat = source.ResponseFormat;
        ModelId = source.ModelId;
        StopSequences = source.StopSequences is { } stop ? new List<string>(stop) : null;
        AllowMultipleToolCalls = source.AllowMultipleToolCalls;
        ToolMode = source.ToolMode;
        Tools = source.Tools is { } tools ? new List<AITool>(tools) : null;
        AllowBackgroundResponses = source.AllowBackgroundResponses;
        ContinuationToken = source.ContinuationToken;
        RawRepresentationFactory = source.RawRepresentationFactory;
        AdditionalProperties = source.AdditionalProperties;
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
