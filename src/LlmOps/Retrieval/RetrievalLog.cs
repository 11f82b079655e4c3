using Microsoft.Extensions.Logging;

namespace LlmOps.Retrieval;

/// <summary>Log messages for failures that retrieval absorbs. EventIds 1600–1699.</summary>
internal static partial class RetrievalLog
{
    [LoggerMessage(EventId = 1600, Level = LogLevel.Warning, Message = "The reranker failed; the first-stage order is kept for query of {QueryLength} characters.")]
    public static partial void RerankerFailed(ILogger logger, Exception exception, int queryLength);

    [LoggerMessage(EventId = 1601, Level = LogLevel.Warning, Message = "The reranker's answer could not be read; the first-stage order is kept. Answer starts: {AnswerStart}")]
    public static partial void RerankerAnswerUnreadable(ILogger logger, string answerStart);
}
