using Microsoft.Extensions.Logging;

namespace LlmOps.Redis;

/// <summary>
/// The Redis stores' log lines (EventIds 1900–1949 of the stores' range 1900–1999). Each failure a store absorbs is
/// logged once per outage (the first failure after a success), not once per request.
/// </summary>
internal static partial class RedisLog
{
    [LoggerMessage(EventId = 1900, EventName = "RedisCacheUnavailable", Level = LogLevel.Warning,
        Message = "Redis at {Endpoints} is unavailable to the semantic cache ({Operation}); the cache fails open: requests go to the provider and are not cached until Redis answers again.")]
    public static partial void CacheUnavailable(ILogger logger, string endpoints, string operation, Exception exception);

    [LoggerMessage(EventId = 1901, EventName = "RedisCacheRecovered", Level = LogLevel.Information,
        Message = "Redis at {Endpoints} answers the semantic cache again; the local mirrors are reloaded.")]
    public static partial void CacheRecovered(ILogger logger, string endpoints);

    [LoggerMessage(EventId = 1902, EventName = "RedisBudgetCompletionDeferred", Level = LogLevel.Warning,
        Message = "Redis at {Endpoints} did not record a budget settlement or release; it is kept in this instance and sent before the next reservation ({Pending} pending).")]
    public static partial void BudgetCompletionDeferred(ILogger logger, string endpoints, int pending, Exception exception);

    [LoggerMessage(EventId = 1903, EventName = "RedisBudgetUnavailable", Level = LogLevel.Error,
        Message = "Redis at {Endpoints} is unavailable to the budget store; budgets fail closed: requests that need a reservation are refused before any provider call.")]
    public static partial void BudgetUnavailable(ILogger logger, string endpoints, Exception exception);

    [LoggerMessage(EventId = 1904, EventName = "RedisCacheMirrorFeedFailed", Level = LogLevel.Warning,
        Message = "Reading the semantic cache's change stream {Stream} failed; the mirror is reloaded from Redis on the next lookup.")]
    public static partial void MirrorFeedFailed(ILogger logger, string stream, Exception exception);

    [LoggerMessage(EventId = 1905, EventName = "RedisFlightUnavailable", Level = LogLevel.Warning,
        Message = "Redis at {Endpoints} is unavailable for cross-instance single-flight; this instance calls the provider on its own.")]
    public static partial void FlightUnavailable(ILogger logger, string endpoints, Exception exception);
}
