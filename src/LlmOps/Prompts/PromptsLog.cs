using Microsoft.Extensions.Logging;

namespace LlmOps.Prompts;

/// <summary>
/// The prompts concern's log lines (EventIds 1200–1299). Each failure it absorbs (a damaged file whose last good
/// version stays served, or whose version is reported as unreadable) is logged once per change of the file.
/// </summary>
internal static partial class PromptsLog
{
    [LoggerMessage(EventId = 1200, EventName = "PromptFileUnreadable", Level = LogLevel.Warning,
        Message = "Prompt file {Path} cannot be read: {Problem} The last version read from it stays served; other versions are unaffected.")]
    public static partial void FileUnreadable(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 1201, EventName = "PromptFileTampered", Level = LogLevel.Warning,
        Message = "Prompt file {Path} no longer matches its content hash; requests for that version fail with PromptTamperedException until it is restored or registered as a new version.")]
    public static partial void FileTampered(ILogger logger, string path);
}
