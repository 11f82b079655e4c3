using StackExchange.Redis;

namespace LlmOps.Stores.Tests.Engines;

[Collection(RedisEngineCollection.Name)]
public sealed class RedisEngineTests(RedisEngine engine)
{
    [Fact]
    public async Task Engine_AnswersCommands_OnItsEndpoint()
    {
        var db = engine.Connection.GetDatabase();
        var key = RedisEngine.UniquePrefix(nameof(Engine_AnswersCommands_OnItsEndpoint));

        await db.StringSetAsync(key, "42", TimeSpan.FromMinutes(1));

        Assert.Equal("42", (string?)await db.StringGetAsync(key));
    }

    [Fact]
    public async Task PrivateServer_StopThenStart_ServesAgainOnTheSamePort()
    {
        await using var server = await RedisEngine.StartPrivateAsync();
        Assert.StartsWith("+PONG", await RedisServerProcess.SendAsync(server.Endpoint, "PING"), StringComparison.Ordinal);

        await server.StopAsync();
        Assert.False(server.IsRunning);
        await Assert.ThrowsAnyAsync<Exception>(() => RedisServerProcess.SendAsync(server.Endpoint, "PING"));

        await server.StartAsync();
        Assert.StartsWith("+PONG", await RedisServerProcess.SendAsync(server.Endpoint, "PING"), StringComparison.Ordinal);
    }
}

[Collection(RedisClusterEngineCollection.Name)]
public sealed class RedisClusterEngineTests(RedisClusterEngine cluster)
{
    [Fact]
    public async Task Cluster_HasThreeMasters_AndSpreadsSlots()
    {
        var masters = cluster.Connection.GetServers().Where(s => !s.IsReplica).ToArray();
        Assert.Equal(3, masters.Length);

        var db = cluster.Connection.GetDatabase();
        var nodes = new HashSet<string>();
        for (var i = 0; i < 30; i++)
        {
            var key = (RedisKey)$"spread:{i}:{Guid.NewGuid():N}";
            await db.StringSetAsync(key, i, TimeSpan.FromMinutes(1));
            nodes.Add((await db.IdentifyEndpointAsync(key))!.ToString()!);
        }

        // Also prove a hash tag pins keys to one slot: a two-key command on tagged keys works on a cluster.
        var tag = Guid.NewGuid().ToString("N");
        await db.StringSetAsync([new KeyValuePair<RedisKey, RedisValue>($"{{{tag}}}:a", 1), new KeyValuePair<RedisKey, RedisValue>($"{{{tag}}}:b", 2)]);
        Assert.Equal(2, (await db.StringGetAsync([$"{{{tag}}}:a", $"{{{tag}}}:b"])).Length);
        Assert.True(nodes.Count >= 2, $"30 random keys landed on {nodes.Count} node(s)");
    }
}
