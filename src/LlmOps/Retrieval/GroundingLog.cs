using Microsoft.Extensions.Logging;

namespace LlmOps.Retrieval;

/// <summary>What the grounding stage absorbs, logged once each with a stable EventId (1650–1699).</summary>
internal static partial class GroundingLog
{
    [LoggerMessage(EventId = 1650, Level = LogLevel.Warning, Message = "A retrieved source from document {DocumentId} was dropped: an input guardrail blocked its text.")]
    public static partial void SourceDropped(ILogger logger, string documentId);

    [LoggerMessage(EventId = 1651, Level = LogLevel.Warning, Message = "The question could not be embedded for the sufficiency check; the lexical check decides alone.")]
    public static partial void SufficiencyEmbeddingFailed(ILogger logger, Exception exception);
}
