using LlmOps.Metering;
using LlmOps.Redis;
using LlmOps.Stores.Tests.Engines;
using StackExchange.Redis;

namespace LlmOps.Stores.Tests.Redis;

/// <summary>Budgets on a real three-master Redis Cluster: nested partitions share a slot, tenants spread.</summary>
[Collection(RedisClusterEngineCollection.Name)]
public sealed class RedisClusterBudgetTests(RedisClusterEngine cluster)
{
    [Fact]
    public async Task Reserve_NestedBudgetsOfManyTenants_ExactPerTenant_AndSpreadOverTheMasters()
    {
        var prefix = RedisEngine.UniquePrefix("cluster");
        Budget[] budgets =
        [
            new Budget(new LlmOpsScope(Budget.Each), 0.505m) { Name = "tenant" },
            new Budget(new LlmOpsScope(Budget.Each, Budget.Each), 0.305m) { Name = "user" },
        ];
        var manager = new BudgetManager(budgets, store: new RedisBudgetStore(cluster.Connection, new RedisOptions { KeyPrefix = prefix }));
        var tenants = Enumerable.Range(0, 12).Select(i => "tenant-" + i).ToArray();
        var admitted = new int[tenants.Length];
        var threads = Enumerable.Range(0, 8).Select(t => Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < 120; i++)
            {
                var tenant = (i + t) % tenants.Length;
                try
                {
                    manager.Reserve(new LlmOpsScope(tenants[tenant], "u" + (i % 2)), 0.01m).Settle(0.01m);
                    Interlocked.Increment(ref admitted[tenant]);
                }
                catch (BudgetExceededException)
                {
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        await Task.WhenAll(threads);

        // 80 attempts per tenant, 40 per user: each user is capped at 30, the tenant at 50.
        Assert.All(admitted, a => Assert.Equal(50, a));
        foreach (var tenant in tenants)
        {
            Assert.Equal(0.50m, manager.GetStatus(new LlmOpsScope(tenant, "u0"))[0].Spent);
        }

        var db = cluster.Connection.GetDatabase();
        var nodes = new HashSet<string>();
        foreach (var tenant in tenants)
        {
            nodes.Add((await db.IdentifyEndpointAsync($"{prefix}:budget:{{t:{tenant}}}:leases"))!.ToString()!);
        }

        Assert.True(nodes.Count >= 2, $"12 tenants' budget keys landed on {nodes.Count} master(s)");
    }

    [Fact]
    public void Reserve_GlobalAndTenantBudgetsOnACluster_AsksForOneSlot_ThenWorksWithIt()
    {
        Budget[] budgets = [new Budget(LlmOpsScope.Global, 10m) { Name = "all" }, new Budget(new LlmOpsScope(Budget.Each), 1m) { Name = "tenant" }];
        var spread = new BudgetManager(budgets, store: new RedisBudgetStore(cluster.Connection, new RedisOptions { KeyPrefix = RedisEngine.UniquePrefix("mixed") }));

        var ex = Assert.Throws<ArgumentException>(() => spread.Reserve(new LlmOpsScope("acme"), 0.1m));
        Assert.Contains("BudgetsInOneSlot", ex.Message, StringComparison.Ordinal);

        var oneSlot = new BudgetManager(budgets, store: new RedisBudgetStore(cluster.Connection, new RedisOptions { KeyPrefix = RedisEngine.UniquePrefix("mixed"), BudgetsInOneSlot = true }));
        oneSlot.Reserve(new LlmOpsScope("acme"), 0.6m).Settle(0.6m);
        Assert.Throws<BudgetExceededException>(() => oneSlot.Reserve(new LlmOpsScope("acme"), 0.6m));
        oneSlot.Reserve(new LlmOpsScope("globex"), 0.6m).Settle(0.6m);
        Assert.Equal(1.2m, oneSlot.GetStatus(new LlmOpsScope("globex"))[0].Spent);
    }
}
