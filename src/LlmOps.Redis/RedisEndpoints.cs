using StackExchange.Redis;

namespace LlmOps.Redis;

/// <summary>Names a connection's endpoints in messages (the host is what a user needs to fix an outage).</summary>
internal static class RedisEndpoints
{
    public static string Describe(IConnectionMultiplexer connection)
    {
        try
        {
            var endpoints = connection.GetEndPoints();
            return endpoints.Length == 0 ? "(no endpoint)" : string.Join(", ", endpoints.Select(static e => e.ToString()));
        }
        catch (Exception ex) when (ex is RedisException or InvalidOperationException)
        {
            return "(unknown endpoint)";
        }
    }
}
