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
