using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LlmOps.Stores.Tests.Engines;

/// <summary>One <c>redis-server</c> process that the tests own: a loopback port, a temp directory, no persistence.</summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    public const string InstallHint = "install redis-server: apt-get install -y redis-server, or set LLMOPS_TEST_REDIS (host:port) to a server you run";

    private readonly string[] _extraArguments;
    private Process? _process;

    private RedisServerProcess(int port, string directory, string[] extraArguments)
    {
        Port = port;
        Directory = directory;
        _extraArguments = extraArguments;
    }

    /// <summary>Gets the loopback port.</summary>
    public int Port { get; }

    /// <summary>Gets the working directory (deleted on dispose).</summary>
    public string Directory { get; }

    /// <summary>Gets the <c>host:port</c> endpoint.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Gets a value indicating whether the server process is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a server on a free loopback port (whose cluster bus port, +10000, is free too) and waits for PING.</summary>
    public static async Task<RedisServerProcess> StartAsync(params string[] extraArguments)
    {
        var directory = Path.Combine(Path.GetTempPath(), "llmops-redis-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var server = new RedisServerProcess(FreePort(), directory, extraArguments);
        await server.StartAsync();
        return server;
    }

    /// <summary>Returns the path of <c>redis-server</c> on PATH, or <see langword="null"/>.</summary>
    public static string? FindExecutable(string name = "redis-server")
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    /// <summary>(Re)starts the process on the same port and waits until it answers PING.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            return;
        }

        var exe = FindExecutable() ?? throw new InvalidOperationException($"redis-server is not on PATH; {InstallHint}.");
        var info = new ProcessStartInfo(exe)
        {
            WorkingDirectory = Directory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "--save", "", "--appendonly", "no", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", Directory, "--protected-mode", "no" })
        {
            info.ArgumentList.Add(a);
        }

        foreach (var a in _extraArguments)
        {
            info.ArgumentList.Add(a);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException($"redis-server did not start; {InstallHint}.");
        _process.OutputDataReceived += static (_, _) => { };
        _process.ErrorDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitForPingAsync(Endpoint, TimeSpan.FromSeconds(15), () => _process.HasExited
            ? $"redis-server exited with code {_process.ExitCode} on port {Port}"
            : null);
    }

    /// <summary>Kills the process (as a crash would) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_process is { } p)
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
            }

            await p.WaitForExitAsync();
            p.Dispose();
            _process = null;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Polls a server with PING until it answers +PONG (bounded polling for a real engine).</summary>
    public static async Task WaitForPingAsync(string endpoint, TimeSpan timeout, Func<string?>? failed = null)
    {
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < timeout)
        {
            if (failed?.Invoke() is { } reason)
            {
                throw new InvalidOperationException($"{reason}; {InstallHint}.");
            }

            try
            {
                if ((await SendAsync(endpoint, "PING")).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                last = ex;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"Redis at {endpoint} did not answer PING within {timeout.TotalSeconds} s ({last?.Message}); {InstallHint}.");
    }

    /// <summary>Sends one inline command and returns the first reply line.</summary>
    public static async Task<string> SendAsync(string endpoint, string command)
    {
        var (host, port) = Parse(endpoint);
        using var client = new TcpClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await client.ConnectAsync(host, port, cts.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), cts.Token);
        var buffer = new byte[4096];
        var n = await stream.ReadAsync(buffer, cts.Token);
        return Encoding.ASCII.GetString(buffer, 0, n);
    }

    public static (string Host, int Port) Parse(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        return colon < 0
            ? (endpoint, 6379)
            : (endpoint[..colon], int.Parse(endpoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static int FreePort()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = Random.Shared.Next(20_000, 55_000);
            if (IsFree(port) && IsFree(port + 10_000))
            {
                return port;
            }
        }

        throw new InvalidOperationException("No free loopback port pair (port, port + 10000) for redis-server.");

        static bool IsFree(int port)
        {
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                listener.Stop();
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }
    }
}
