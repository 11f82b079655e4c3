using Microsoft.Extensions.Logging;

namespace LlmOps.Evaluation;

/// <summary>Log messages of the evaluation package (EventId range 1800–1899).</summary>
internal static partial class EvaluationLog
{
    [LoggerMessage(EventId = 1800, Level = LogLevel.Warning, Message = "Judge answer malformed ({Problem}); run {Run}, attempt {Attempt} of {MaxAttempts}.")]
    public static partial void JudgeAnswerMalformed(ILogger logger, string problem, int run, int attempt, int maxAttempts);

    [LoggerMessage(EventId = 1801, Level = LogLevel.Error, Message = "Judge gave no usable answer after {MaxAttempts} attempts ({Problem}); the item is reported as an evaluation error.")]
    public static partial void JudgeGaveUp(ILogger logger, int maxAttempts, string problem);
}
