namespace LlmOps.Redis;

/// <summary>
/// Thrown by <see cref="RedisBudgetStore"/> when Redis cannot be reached: budgets fail closed, so a request that needs a
/// reservation is refused before any provider call (no unmetered spend). The message names the endpoints and the cause.
/// </summary>
public sealed class RedisStoreUnavailableException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="RedisStoreUnavailableException"/> class.</summary>
    public RedisStoreUnavailableException()
        : this("Redis is unavailable.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RedisStoreUnavailableException"/> class.</summary>
    /// <param name="message">The message.</param>
    public RedisStoreUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RedisStoreUnavailableException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public RedisStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
