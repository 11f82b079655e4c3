using LlmOps.Caching;
using LlmOps.Metering;
using LlmOps.Redis;
using LlmOps.Stores.Tests.Engines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmOps.Stores.Tests.Redis;

[Collection(RedisEngineCollection.Name)]
public sealed class RedisLlmOpsBuilderExtensionsTests(RedisEngine engine)
{
    [Fact]
    public void AddRedis_ReplacesTheInMemoryStores_AndBudgetsUseRedis()
    {
        var services = new ServiceCollection();
        var prefix = RedisEngine.UniquePrefix("di");
        services.AddLlmOps()
            .AddSemanticCache()
            .AddCostMetering(o => o.Budgets.Add(new Budget(new LlmOpsScope("acme"), 1m)))
            .AddRedis(o => { o.ConnectionString = engine.Endpoint; o.KeyPrefix = prefix; });
        using var provider = services.BuildServiceProvider();

        Assert.IsType<RedisSemanticCacheStore>(provider.GetRequiredService<ISemanticCacheStore>());
        var budgets = provider.GetRequiredService<BudgetManager>();
        Assert.IsType<RedisBudgetStore>(budgets.Store);
        budgets.Reserve(new LlmOpsScope("acme"), 0.7m).Settle(0.7m);
        var peer = new BudgetManager(budgets.Budgets, store: new RedisBudgetStore(engine.Connection, new RedisOptions { KeyPrefix = prefix }));
        Assert.Throws<BudgetExceededException>(() => peer.Reserve(new LlmOpsScope("acme"), 0.5m));
    }

    [Fact]
    public async Task AddRedis_UnreachableHost_FailsAtStartup_NamingRedisAndTheHost_UnlessLazy()
    {
        await using var stopped = await RedisEngine.StartPrivateAsync();
        var endpoint = stopped.Endpoint;
        await stopped.StopAsync();

        var services = new ServiceCollection();
        services.AddLlmOps().AddRedis(o => o.ConnectionString = $"{endpoint},connectTimeout=500");
        using var provider = services.BuildServiceProvider();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync());
        Assert.Contains("Redis at", ex.Message, StringComparison.Ordinal);
        Assert.Contains(endpoint, ex.Message, StringComparison.Ordinal);
        Assert.Contains("LazyConnect", ex.Message, StringComparison.Ordinal);

        var lazy = new ServiceCollection();
        lazy.AddLlmOps().AddRedis(o => { o.ConnectionString = $"{endpoint},connectTimeout=500"; o.LazyConnect = true; });
        using var lazyProvider = lazy.BuildServiceProvider();
        await lazyProvider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync();
        Assert.Null(await lazyProvider.GetRequiredService<ISemanticCacheStore>().GetAsync(SemanticCacheKey.FromString("x"))); // fails open
    }

    [Fact]
    public async Task AddRedis_InvalidOptions_FailAtStartup_NamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddLlmOps().AddRedis(o => { o.ConnectionString = engine.Endpoint; o.BudgetLease = TimeSpan.Zero; o.KeyPrefix = "a{b}"; });
        using var provider = services.BuildServiceProvider();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync());

        Assert.Contains("RedisOptions.BudgetLease must be in (0, 7 days]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RedisOptions.KeyPrefix", ex.Message, StringComparison.Ordinal);
    }
}
