using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Xunit;

namespace LlmOps.Testing.Engines;

/// <summary>
/// A real PostgreSQL server for tests (an xunit class or collection fixture, shared by the store and CLI tests): the server named by
/// <c>LLMOPS_TEST_POSTGRES</c> (a connection string) when that is set, else the installed PostgreSQL started in a temp
/// directory on a free loopback port and stopped (and deleted) at the end. As root, the server runs as the
/// <c>postgres</c> user, because PostgreSQL refuses to run as root.
/// </summary>
public sealed class PostgresEngine : IAsyncLifetime
{
    /// <summary>The environment variable that points the tests at a server the user runs.</summary>
    public const string EnvironmentVariable = "LLMOPS_TEST_POSTGRES";

    private string? _directory;
    private string? _binaries;
    private readonly System.Collections.Concurrent.ConcurrentBag<string> _created = [];
    private int _schemas;

    /// <summary>Gets the connection string of the server (superuser, database <c>postgres</c> when started here).</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>Gets a value indicating whether the server was started by this fixture (not the user's own).</summary>
    public bool StartedHere => _directory is not null;

    /// <summary>Gets a fresh schema name, unique in this test run, so test classes never see each other's rows.</summary>
    /// <param name="prefix">A readable prefix.</param>
    /// <returns>A schema name that is a valid lower-case identifier.</returns>
    public string NewSchema(string prefix)
    {
        var schema = $"t_{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _schemas)}_{Guid.NewGuid().ToString("N")[..6]}";
        _created.Add(schema);
        return schema;
    }

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } own)
        {
            ConnectionString = own;
            return;
        }

        _binaries = FindBinaries();
        var asRoot = GetUid() == 0;
        _directory = Directory.CreateTempSubdirectory("llmops-pg-").FullName;
        var data = Path.Combine(_directory, "data");
        if (asRoot)
        {
            await RunAsync("chown", "-R", "postgres:postgres", _directory);
        }

        await RunAsPostgresAsync(asRoot, Path.Combine(_binaries, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C");
        var port = FreePort();
        var settings = $"-p {port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=16MB -c max_connections=100";
        await RunAsPostgresAsync(asRoot, Path.Combine(_binaries, "pg_ctl"), "-D", data, "-l", Path.Combine(_directory, "server.log"), "-o", settings, "-w", "-t", "60", "start");
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50";
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_directory is null)
        {
            // The user's own server: leave it as it was found.
            await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
            foreach (var schema in _created)
            {
                await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
                await drop.ExecuteNonQueryAsync();
            }
        }

        NpgsqlConnection.ClearAllPools();
        if (_directory is null || _binaries is null)
        {
            return;
        }

        var asRoot = GetUid() == 0;
        try
        {
            await RunAsPostgresAsync(asRoot, Path.Combine(_binaries, "pg_ctl"), "-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop");
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static string FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        var versions = Directory.Exists(root) ? Directory.GetDirectories(root) : [];
        Array.Sort(versions, StringComparer.Ordinal);
        for (var i = versions.Length - 1; i >= 0; i--)
        {
            var bin = Path.Combine(versions[i], "bin");
            if (File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
            {
                return bin;
            }
        }

        throw new InvalidOperationException($"PostgreSQL is not installed (no {root}/*/bin/initdb). Install it with `apt-get install -y postgresql`, or set {EnvironmentVariable} to the connection string of a server you run.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int GetUid()
    {
        try
        {
            return int.Parse(File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
    }

    private static Task RunAsPostgresAsync(bool asRoot, string program, params string[] arguments)
        => asRoot ? RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments]) : RunAsync(program, arguments);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: {await error}{await output}");
        }
    }
}
