using Microsoft.Extensions.Options;

namespace LlmOps.Redis;

/// <summary>Connects at startup (<c>ValidateOnStart</c>), so a Redis that cannot be reached fails the application then, naming the host.</summary>
internal sealed class RedisConnectionValidator(RedisConnector connector) : IValidateOptions<RedisOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        // Invalid options have their own messages; without a connection string, an IConnectionMultiplexer registered by
        // the application is used (or resolving the stores says what to set).
        if (options.Validate().Count > 0 || string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Skip;
        }

        try
        {
            _ = connector.Get(options);
            return ValidateOptionsResult.Success;
        }
        catch (InvalidOperationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
