using Microsoft.Extensions.Logging;

namespace LlmOps.Caching;

/// <summary>
/// The cache's log lines (EventIds 1300–1399). Each failure the cache absorbs (it degrades to a miss or skips a write,
/// and the request still gets its answer) is logged once here.
/// </summary>
internal static partial class CachingLog
{
    [LoggerMessage(EventId = 1300, EventName = "CacheStoreReadFailed", Level = LogLevel.Warning,
        Message = "The semantic cache store failed on a lookup ({Operation}); the request is served as a miss.")]
    public static partial void StoreReadFailed(ILogger logger, string operation, Exception exception);

    [LoggerMessage(EventId = 1301, EventName = "CacheStoreWriteFailed", Level = LogLevel.Warning,
        Message = "The semantic cache store failed to write an entry; the caller keeps the answer, which is not cached.")]
    public static partial void StoreWriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1302, EventName = "CacheEmbeddingFailed", Level = LogLevel.Warning,
        Message = "The embedding generator failed; the semantic tier is skipped for this request (exact tier only).")]
    public static partial void EmbeddingFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1303, EventName = "CacheInvalidationFailed", Level = LogLevel.Warning,
        Message = "Removing a cache entry that an outer stage rejected failed; the entry may be served again until it expires.")]
    public static partial void RejectedEntryRemovalFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1304, EventName = "CacheRequestNotKeyable", Level = LogLevel.Debug,
        Message = "The request bypasses the cache: {Reason}.")]
    public static partial void RequestNotKeyable(ILogger logger, string reason);

    [LoggerMessage(EventId = 1305, EventName = "CacheFlightWaitTimedOut", Level = LogLevel.Information,
        Message = "An identical in-flight request did not finish within {Timeout}; this request goes on alone.")]
    public static partial void FlightWaitTimedOut(ILogger logger, TimeSpan timeout);

    [LoggerMessage(EventId = 1306, EventName = "CacheFlightCoordinatorFailed", Level = LogLevel.Warning,
        Message = "Single-flight across instances failed ({Operation}); this request goes on as if it were alone.")]
    public static partial void FlightCoordinatorFailed(ILogger logger, string operation, Exception exception);
}
