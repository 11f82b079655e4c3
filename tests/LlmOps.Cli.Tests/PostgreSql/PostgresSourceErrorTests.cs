using System.Net;
using System.Net.Sockets;

namespace LlmOps.Cli.Tests.PostgreSql;

/// <summary>PostgreSQL sources that cannot work: no server needed.</summary>
public sealed class PostgresSourceErrorTests : TempFolderTest
{
    [Theory]
    [InlineData("prompts", "list", "--store")]
    [InlineData("prompts", "push", "--store")]
    [InlineData("cost", "report", "--ledger")]
    public async Task NothingListening_ExitsThreeNamingPostgreSqlTheHostAndTheFix(string group, string command, string option)
    {
        int port = ClosedPort();
        string source = $"postgres:Host=127.0.0.1;Port={port};Username=postgres;Password=s3cret-pw;Database=llm;Timeout=5";

        string last = command == "push" ? Write("greet.prompt.md", "---\nname: greet\n---\nsystem:\nSay hello.\n") : "--json";

        CliResult result = await CliRunner.RunAsync(group, command, option, source, last);

        Assert.True(result.Code == 3, result.ToString());
        Assert.Contains($"cannot connect to PostgreSQL at 127.0.0.1:{port} (database 'llm')", result.Err, StringComparison.Ordinal);
        Assert.Contains("Start the server, or fix Host, Port, Username, Password and Database", result.Err, StringComparison.Ordinal);
        Assert.Contains(option, result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", result.Err, StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }

    [Theory]
    [InlineData("Hots=localhost;Password=s3cret-pw", "Hots")]
    [InlineData("Port=5432;Password=s3cret-pw", "names no Host")]
    [InlineData("Host=localhost;Port=notaport;Password=s3cret-pw", "not valid")]
    public async Task BadConnectionString_ExitsTwoWithAnExample(string connectionString, string problem)
    {
        CliResult prompts = await CliRunner.RunAsync("prompts", "show", "greet", "--store", "postgres:" + connectionString);
        CliResult cost = await CliRunner.RunAsync("cost", "report", "--ledger", "postgres:" + connectionString);

        foreach (CliResult result in new[] { prompts, cost })
        {
            Assert.True(result.Code == 2, result.ToString());
            Assert.Contains("PostgreSQL connection string", result.Err, StringComparison.Ordinal);
            Assert.Contains(problem, result.Err, StringComparison.OrdinalIgnoreCase); // Npgsql names an unknown keyword in lower case
            Assert.Contains("postgres:Host=localhost;Port=5432;Username=USER", result.Err, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret-pw", result.Err, StringComparison.Ordinal);
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port; // closed again when the listener is disposed
    }
}
