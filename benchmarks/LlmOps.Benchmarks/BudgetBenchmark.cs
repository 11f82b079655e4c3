using BenchmarkDotNet.Attributes;
using LlmOps;
using LlmOps.Metering;
using LlmOps.Telemetry;

namespace LlmOps.Benchmarks;

/// <summary>
/// One reserve-then-settle on <see cref="BudgetManager"/> (a tenant and a user budget, both enforced), alone and
/// with two threads contending for the same budgets (target: ≤ 1 µs per operation under 2-thread contention).
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class BudgetBenchmark
{
    private const int OpsPerThread = 10_000;
    private static readonly LlmOpsScope Scope = new("acme", "bob");
    private BudgetManager _manager = null!;

    [GlobalSetup]
    public void Setup() => _manager = new BudgetManager(
        [new Budget(new LlmOpsScope("acme"), decimal.MaxValue / 4, BudgetWindow.Day), new Budget(new LlmOpsScope("acme", "bob"), decimal.MaxValue / 4, BudgetWindow.Day)],
        telemetry: new LlmOpsTelemetry());

    [Benchmark(Baseline = true, OperationsPerInvoke = OpsPerThread)]
    public void ReserveSettleOneThread() => Loop();

    /// <summary>Two threads at once; the time per operation is the wall time over the operations of one thread.</summary>
    [Benchmark(OperationsPerInvoke = OpsPerThread)]
    public void ReserveSettleTwoThreads() => Parallel.Invoke(new ParallelOptions { MaxDegreeOfParallelism = 2 }, Loop, Loop);

    private void Loop()
    {
        for (var i = 0; i < OpsPerThread; i++)
        {
            _manager.Reserve(Scope, 0.0123m).Settle(0.01m);
        }
    }
}
