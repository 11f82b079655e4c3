using LlmOps.Caching;
using LlmOps.Redis;
using StackExchange.Redis;

namespace LlmOps.Stores.Worker;

/// <summary>
/// <c>redis-cache-write &lt;connection&gt; &lt;prefix&gt; &lt;scope&gt; &lt;text&gt; &lt;x,y,z&gt;</c>: writes one semantic cache entry
/// for <c>text</c> in the partition of <c>scope</c> to Redis (as another instance of an application would) and prints
/// its exact key.
/// </summary>
internal sealed class RedisCacheWriteCommand : IWorkerCommand
{
    public string Name => "redis-cache-write";

    public async Task<int> RunAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var (connection, prefix, scope, text) = (arguments[0], arguments[1], arguments[2], arguments[3]);
        var vector = arguments[4].Split(',').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        await using var redis = await ConnectionMultiplexer.ConnectAsync(connection);
        var store = new RedisSemanticCacheStore(redis, new RedisOptions { KeyPrefix = prefix });
        var entry = new SemanticCacheEntry
        {
            Key = SemanticCacheKey.FromString("key:" + scope + ":" + text),
            Partition = SemanticCacheKey.FromString("partition:" + scope),
            Response = new Microsoft.Extensions.AI.ChatResponse(new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.Assistant, "answer to " + text)),
            Embedding = vector.Select(v => v / norm).ToArray(),
            CreatedAt = DateTimeOffset.UtcNow,
            ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(10),
            ScopeHash = SemanticCacheKey.FromString("scope:" + scope),
            TenantHash = SemanticCacheKey.FromString("tenant:" + scope),
        };
        await store.SetAsync(entry, cancellationToken);
        Console.WriteLine(entry.Key.ToString());
        return 0;
    }
}
