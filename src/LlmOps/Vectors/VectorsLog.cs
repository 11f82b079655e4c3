using Microsoft.Extensions.Logging;

namespace LlmOps.Vectors;

/// <summary>Log messages of the vector core (EventId range 1500–1599).</summary>
internal static partial class VectorsLog
{
    /// <summary>
    /// A save to a file failed and its temporary file could not be deleted either. The save's own exception still
    /// reaches the caller; the leftover file is what this line reports.
    /// </summary>
    [LoggerMessage(EventId = 1500, Level = LogLevel.Warning, Message = "A vector index save failed and its temporary file '{TempPath}' could not be deleted; delete it by hand.")]
    public static partial void TempFileNotDeleted(ILogger logger, Exception exception, string tempPath);
}
