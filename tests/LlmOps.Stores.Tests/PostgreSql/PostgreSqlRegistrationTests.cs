using System.Net;
using System.Net.Sockets;
using LlmOps.Metering;
using LlmOps.PostgreSql;
using LlmOps.Prompts;
using LlmOps.Stores.Tests.Engines;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmOps.Stores.Tests.PostgreSql;

[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlRegistrationTests(PostgresEngine engine)
{
    [Fact]
    public async Task AddPostgreSql_PromptsAndLedger_ServeTheRegistryAndMeteringFromOneDatabase()
    {
        var schema = engine.NewSchema("di");
        var services = new ServiceCollection();
        services.AddLlmOps()
            .AddPromptRegistry()
            .AddCostMetering()
            .AddPostgreSqlPrompts(o => { o.ConnectionString = engine.ConnectionString; o.Schema = schema; })
            .AddPostgreSqlCostLedger();
        await using var provider = services.BuildServiceProvider();

        var registry = provider.GetRequiredService<PromptRegistry>();
        await registry.RegisterAsync(new PromptTemplate("p", [new PromptMessageTemplate(ChatRole.User, "hello")]));
        await provider.GetRequiredService<ICostLedger>().RecordAsync(new CostRecord { RequestId = "r", Model = "m", Cost = 0.5m });

        Assert.IsType<PostgreSqlPromptStore>(registry.Store);
        Assert.Equal(1, (await new PostgreSqlPromptStore(Npgsql.NpgsqlDataSource.Create(engine.ConnectionString), schema).LoadAsync("p"))!.LatestVersion);
        Assert.Equal(0.5m, (await new PostgreSqlCostLedger(Npgsql.NpgsqlDataSource.Create(engine.ConnectionString), schema).GetTotalsAsync(CostLedgerQuery.All)).Cost);
    }

    [Fact]
    public async Task AddPostgreSqlBudgets_TwoInstances_ShareOneBudgetAndNeverOverspend()
    {
        var schema = engine.NewSchema("dibudget");
        ServiceProvider Instance()
        {
            var services = new ServiceCollection();
            services.AddLlmOps()
                .AddCostMetering(o => o.Budgets.Add(new Budget(new LlmOpsScope(Budget.Each), 1m, BudgetWindow.Day) { Name = "tenant" }))
                .AddPostgreSqlBudgets(o => { o.ConnectionString = engine.ConnectionString; o.Schema = schema; o.BudgetLease = TimeSpan.FromMinutes(5); });
            return services.BuildServiceProvider();
        }

        await using var first = Instance();
        await using var second = Instance();
        var scope = new LlmOpsScope("acme");
        Assert.IsType<PostgreSqlBudgetStore>(first.GetRequiredService<BudgetManager>().Store);

        // 0.4 on each instance fits (0.8 of 1.0); a third 0.4 on either would overspend the shared budget.
        await using var a = await first.GetRequiredService<BudgetManager>().ReserveAsync(scope, 0.4m);
        await using var b = await second.GetRequiredService<BudgetManager>().ReserveAsync(scope, 0.4m);
        await Assert.ThrowsAsync<BudgetExceededException>(async () => await first.GetRequiredService<BudgetManager>().ReserveAsync(scope, 0.4m));
        await Assert.ThrowsAsync<BudgetExceededException>(async () => await second.GetRequiredService<BudgetManager>().ReserveAsync(scope, 0.4m));
    }

    [Fact]
    public void AddPostgreSqlBudgets_LeaseOutOfRange_FailsAtStartupNamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddLlmOps().AddPostgreSqlBudgets(o => { o.ConnectionString = engine.ConnectionString; o.LazyConnect = true; o.BudgetLease = TimeSpan.Zero; });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value);

        Assert.Contains("PostgreSqlStoreOptions.BudgetLease", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPostgreSql_ServerThatCannotBeReached_FailsAtStartupNamingPostgreSqlAndTheHost()
    {
        var port = ClosedPort();
        var services = new ServiceCollection();
        services.AddLlmOps().AddPostgreSqlCostLedger(o => o.ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Timeout=3");
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value);

        Assert.Contains($"PostgreSQL at 127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("LazyConnect", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPostgreSql_LazyConnect_StartsWithoutTheServer()
    {
        var services = new ServiceCollection();
        services.AddLlmOps().AddPostgreSqlPrompts(o => { o.ConnectionString = $"Host=127.0.0.1;Port={ClosedPort()}"; o.LazyConnect = true; });
        using var provider = services.BuildServiceProvider();

        Assert.True(provider.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value.LazyConnect);
        Assert.IsType<PostgreSqlPromptStore>(provider.GetRequiredService<IPromptStore>());
    }

    [Theory]
    [InlineData(null, "llmops", "PostgreSqlStoreOptions.ConnectionString must be set")]
    [InlineData("Nonsense Key=1", "llmops", "PostgreSqlStoreOptions.ConnectionString is not a valid Npgsql connection string")]
    [InlineData("Host=localhost", "Bad-Schema", "PostgreSqlStoreOptions.Schema must be a lower-case identifier")]
    public void Options_Invalid_FailValidationNamingTheOption(string? connectionString, string schema, string expected)
    {
        var services = new ServiceCollection();
        services.AddLlmOps().AddPostgreSqlPrompts(o => { o.ConnectionString = connectionString; o.Schema = schema; });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port; // closed again when the listener is disposed
    }
}
