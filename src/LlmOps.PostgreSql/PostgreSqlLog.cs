using Microsoft.Extensions.Logging;

namespace LlmOps.PostgreSql;

/// <summary>The failures the PostgreSQL stores absorb, each logged once with a stable id (stores range 1900–1999: Redis 1900–1949, PostgreSQL 1950–1969).</summary>
internal static partial class PostgreSqlLog
{
    [LoggerMessage(EventId = 1950, Level = LogLevel.Warning, Message = "The PostgreSQL prompt-change listener lost its connection ({Reason}); it reconnects, and every cached prompt is refreshed once it is back.")]
    public static partial void ListenerLost(ILogger logger, string reason, Exception exception);

    [LoggerMessage(EventId = 1951, Level = LogLevel.Information, Message = "The PostgreSQL prompt-change listener is connected again; cached prompts are refreshed.")]
    public static partial void ListenerRestored(ILogger logger);
}
