using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using LlmOps.Caching;
using LlmOps.Metering;
using LlmOps.Redis;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;
using StackExchange.Redis;

namespace LlmOps.Benchmarks;

/// <summary>
/// The Redis stores next to the in-memory ones, on a local redis-server over loopback (started here unless
/// LLMOPS_BENCH_REDIS names one): an exact hit, a semantic hit with a warm mirror (1,000 entries of 384 dimensions in
/// the partition), one reserve+settle (tenant and user budgets), and reserve+settle from 64 concurrent callers (the
/// time per operation is wall time over all operations; the callers' p50/p99 latency is printed as "P99" in the log),
/// on the blocking path (<c>Reserve</c>/<c>Settle</c>) and the asynchronous one (<c>ReserveAsync</c>/<c>SettleAsync</c>,
/// which the metering stage uses). "Paced" callers do what a request does: reserve, wait 10 ms for the "provider", then
/// settle; their latency is the reserve plus the settle, without the wait.
/// Goals: semantic hit with a warm mirror within 1.5x of the in-memory store; reserve+settle p99 at most 1 ms.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class RedisStoresBenchmark
{
    private const int Callers = 64;
    private const int PerCaller = 20;
    private const int PacedPerCaller = 5;
    private static readonly LlmOpsScope Scope = new("acme", "bob");
    private Process? _server;
    private ConnectionMultiplexer _redis = null!;
    private InMemorySemanticCacheStore _memoryCache = null!;
    private RedisSemanticCacheStore _redisCache = null!;
    private BudgetManager _memoryBudgets = null!;
    private BudgetManager _redisBudgets = null!;
    private SemanticCacheEntry _entry = null!;
    private float[] _query = null!;
    private readonly List<double> _latencies = [];
    private readonly double[] _single = new double[1 << 20];
    private long _singleCount;
    private string _latencyLabel = "";

    [GlobalSetup]
    public void Setup()
    {
        ThreadPool.SetMinThreads(Callers + 8, Callers + 8);
        var endpoint = Environment.GetEnvironmentVariable("LLMOPS_BENCH_REDIS") ?? StartServer();
        var config = ConfigurationOptions.Parse(endpoint);
        config.BacklogPolicy = BacklogPolicy.FailFast;
        _redis = ConnectionMultiplexer.Connect(config);
        var prefix = "bench:" + Guid.NewGuid().ToString("N");
        _memoryCache = new InMemorySemanticCacheStore(10_000);
        _redisCache = new RedisSemanticCacheStore(_redis, new RedisOptions { KeyPrefix = prefix });
        var random = new Random(42);
        var partition = SemanticCacheKey.FromString("partition");
        for (var i = 0; i < 1000; i++)
        {
            var vector = Normalize(Enumerable.Range(0, 384).Select(_ => (float)random.NextDouble() - 0.5f).ToArray());
            var entry = new SemanticCacheEntry
            {
                Key = SemanticCacheKey.FromString("key" + i),
                Partition = partition,
                Response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "A cached answer of a few sentences, as a cache usually holds. " + i)) { FinishReason = ChatFinishReason.Stop },
                Embedding = vector,
                CreatedAt = DateTimeOffset.UtcNow,
                ScopeHash = SemanticCacheKey.FromString("scope"),
                TenantHash = SemanticCacheKey.FromString("tenant"),
            };
            _memoryCache.SetAsync(entry).AsTask().GetAwaiter().GetResult();
            _redisCache.SetAsync(entry).AsTask().GetAwaiter().GetResult();
            if (i == 500)
            {
                _entry = entry;
                _query = entry.Embedding!.Value.ToArray();
                _query[0] += 0.01f;
            }
        }

        // Warm the mirror.
        _redisCache.FindCandidatesAsync(partition, _query, 4, 0.9f).AsTask().GetAwaiter().GetResult();
        _redisCache.MirrorRefreshInterval = TimeSpan.FromHours(1);
        Budget[] budgets =
        [
            new Budget(new LlmOpsScope(Budget.Each), 1_000_000m, BudgetWindow.Day) { Name = "tenant" },
            new Budget(new LlmOpsScope(Budget.Each, Budget.Each), 1_000_000m, BudgetWindow.Day) { Name = "user" },
        ];
        _memoryBudgets = new BudgetManager(budgets, telemetry: new LlmOpsTelemetry());
        _redisBudgets = new BudgetManager(budgets, telemetry: new LlmOpsTelemetry(), store: new RedisBudgetStore(_redis, new RedisOptions { KeyPrefix = prefix }));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_singleCount > 0)
        {
            _latencies.AddRange(_single.AsSpan(0, (int)Math.Min(_singleCount, _single.Length)).ToArray());
        }

        if (_latencies.Count > 0)
        {
            _latencies.Sort();
            Console.WriteLine($"P99 reserve+settle latency, {_latencyLabel}: {_latencies[(int)(_latencies.Count * 0.99)]:0.000} ms (p50 {_latencies[_latencies.Count / 2]:0.000} ms, p90 {_latencies[(int)(_latencies.Count * 0.9)]:0.000} ms, max {_latencies[^1]:0.000} ms, n={_latencies.Count})");
        }

        _redisCache.Dispose();
        _redis.Dispose();
        if (_server is { HasExited: false })
        {
            _server.Kill();
        }
    }

    [Benchmark(Baseline = true)]
    public SemanticCacheEntry? ExactHitInMemory() => _memoryCache.GetAsync(_entry.Key).AsTask().GetAwaiter().GetResult();

    [Benchmark]
    public SemanticCacheEntry? ExactHitRedis() => _redisCache.GetAsync(_entry.Key).AsTask().GetAwaiter().GetResult();

    [Benchmark]
    public int SemanticHitInMemory() => _memoryCache.FindCandidatesAsync(_entry.Partition, _query, 4, 0.9f).AsTask().GetAwaiter().GetResult().Count;

    [Benchmark]
    public int SemanticHitRedisWarmMirror() => _redisCache.FindCandidatesAsync(_entry.Partition, _query, 4, 0.9f).AsTask().GetAwaiter().GetResult().Count;

    [Benchmark]
    public bool ReserveSettleInMemory() => _memoryBudgets.Reserve(Scope, 0.0123m).Settle(0.01m);

    /// <summary>One caller, blocking; every operation's latency is recorded (preallocated, no allocation) for the p99.</summary>
    [Benchmark]
    public bool ReserveSettleRedis()
    {
        _latencyLabel = "1 blocking caller";
        var start = Stopwatch.GetTimestamp();
        var settled = _redisBudgets.Reserve(Scope, 0.0123m).Settle(0.01m);
        RecordOne(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return settled;
    }

    /// <summary>One caller on the asynchronous path; every operation's latency is recorded for the p99.</summary>
    [Benchmark]
    public async Task<bool> ReserveSettleRedisAsync()
    {
        _latencyLabel = "1 async caller";
        var start = Stopwatch.GetTimestamp();
        var reservation = await _redisBudgets.ReserveAsync(Scope, 0.0123m);
        var settled = await reservation.SettleAsync(0.01m);
        RecordOne(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return settled;
    }

    /// <summary>64 callers at once on the asynchronous path, each making 20 reserve+settle calls back to back.</summary>
    [Benchmark(OperationsPerInvoke = Callers * PerCaller)]
    public async Task ReserveSettleRedisAsync64Callers()
    {
        _latencyLabel = $"{Callers} concurrent async callers, back to back";
        var latencies = new double[Callers * PerCaller];
        var callers = new Task[Callers];
        for (var c = 0; c < Callers; c++)
        {
            var caller = c;
            callers[c] = Task.Run(async () =>
            {
                var scope = new LlmOpsScope("acme", "u" + caller);
                for (var i = 0; i < PerCaller; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    var reservation = await _redisBudgets.ReserveAsync(scope, 0.0123m);
                    await reservation.SettleAsync(0.01m);
                    latencies[(caller * PerCaller) + i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            });
        }

        await Task.WhenAll(callers);
        Record(latencies);
    }

    /// <summary>64 requests in flight on the asynchronous path: reserve, 10 ms "provider call", settle; latency excludes the call.</summary>
    [Benchmark(OperationsPerInvoke = Callers * PacedPerCaller)]
    public async Task ReserveSettleRedisAsync64CallersPaced()
    {
        _latencyLabel = $"{Callers} concurrent async callers, 10 ms provider call between reserve and settle";
        var latencies = new double[Callers * PacedPerCaller];
        var callers = new Task[Callers];
        for (var c = 0; c < Callers; c++)
        {
            var caller = c;
            callers[c] = Task.Run(async () =>
            {
                var scope = new LlmOpsScope("acme", "u" + caller);
                for (var i = 0; i < PacedPerCaller; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    var reservation = await _redisBudgets.ReserveAsync(scope, 0.0123m);
                    var reserved = Stopwatch.GetElapsedTime(start);
                    await Task.Delay(10);
                    start = Stopwatch.GetTimestamp();
                    await reservation.SettleAsync(0.01m);
                    latencies[(caller * PacedPerCaller) + i] = (reserved + Stopwatch.GetElapsedTime(start)).TotalMilliseconds;
                }
            });
        }

        await Task.WhenAll(callers);
        Record(latencies);
    }

    /// <summary>64 callers at once, each making 20 reserve+settle calls; time per operation is wall time over all 1,280.</summary>
    [Benchmark(OperationsPerInvoke = Callers * PerCaller)]
    public void ReserveSettleRedis64Callers()
    {
        _latencyLabel = $"{Callers} concurrent blocking callers, back to back";
        var latencies = new double[Callers * PerCaller];
        Parallel.For(0, Callers, new ParallelOptions { MaxDegreeOfParallelism = Callers }, c =>
        {
            for (var i = 0; i < PerCaller; i++)
            {
                var start = Stopwatch.GetTimestamp();
                _redisBudgets.Reserve(new LlmOpsScope("acme", "u" + c), 0.0123m).Settle(0.01m);
                latencies[(c * PerCaller) + i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        });
        Record(latencies);
    }

    /// <summary>Single-caller latencies go into a preallocated array (the last 1M operations), so recording allocates nothing.</summary>
    private void RecordOne(double milliseconds)
    {
        _single[_singleCount++ % _single.Length] = milliseconds;
    }

    private void Record(double[] latencies)
    {
        lock (_latencies)
        {
            _latencies.AddRange(latencies);
        }
    }

    private string StartServer()
    {
        var port = FreePort();
        var dir = Path.Combine(Path.GetTempPath(), "llmops-bench-redis-" + port);
        Directory.CreateDirectory(dir);
        var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, WorkingDirectory = dir };
        foreach (var a in new[] { "--save", "", "--appendonly", "no", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1" })
        {
            info.ArgumentList.Add(a);
        }

        _server = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start; apt-get install -y redis-server or set LLMOPS_BENCH_REDIS.");
        _server.BeginOutputReadLine();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return $"127.0.0.1:{port}";
            }
            catch (SocketException)
            {
                Thread.Sleep(20);
            }
        }

        throw new InvalidOperationException("redis-server did not open its port within 10 s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static float[] Normalize(float[] v)
    {
        var n = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / n).ToArray();
    }
}
