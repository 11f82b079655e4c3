namespace LlmOps.Caching;

/// <summary>Thrown when <see cref="SemanticCacheOptions"/> are invalid; the message names each bad option and its value.</summary>
public sealed class SemanticCacheConfigurationException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="SemanticCacheConfigurationException"/> class.</summary>
    public SemanticCacheConfigurationException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SemanticCacheConfigurationException"/> class.</summary>
    /// <param name="message">The message.</param>
    public SemanticCacheConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SemanticCacheConfigurationException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public SemanticCacheConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
