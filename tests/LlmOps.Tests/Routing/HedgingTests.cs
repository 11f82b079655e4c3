using LlmOps.Metering;
using LlmOps.Routing;
using LlmOps.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using static LlmOps.Tests.Routing.RoutingTestKit;

namespace LlmOps.Tests.Routing;

/// <summary><see cref="ModelGroup.HedgeAfter"/>: a second deployment races a slow first attempt, on the fake clock.</summary>
public class HedgingTests
{
    private static readonly TimeSpan HedgeAfter = TimeSpan.FromSeconds(2);
    private static readonly LlmOpsScope Acme = new("acme");

    /// <summary>Group <c>chat</c> over <c>slow</c> (tried first) and <c>fast</c>, hedging after 2 s; no retries or attempt timeouts.</summary>
    private static ModelRoutingOptions Hedged(IChatClient slow, IChatClient fast, TimeSpan? hedgeAfter = null)
    {
        var options = Options(Deployment("slow", slow), Deployment("fast", fast));
        options.Groups[0].HedgeAfter = hedgeAfter ?? HedgeAfter;
        options.Resilience.MaxRetriesPerDeployment = 0;
        options.Resilience.AttemptTimeout = null;
        options.Resilience.TimeToFirstTokenTimeout = null;
        return options;
    }

    private static ScriptedChatClient Slow(FakeTimeProvider time, TimeSpan latency, string text = "slow answer")
        => new ScriptedChatClient(time).Otherwise(ScriptedResponse.FromText(text).ChunkedByWords().WithUsage(10, 5).WithLatency(latency));

    /// <summary>Moves the fake clock forward in steps, letting continuations run, without waiting for any task.</summary>
    private static async Task AdvanceAsync(FakeTimeProvider time, TimeSpan total, TimeSpan? step = null)
    {
        var s = step ?? TimeSpan.FromMilliseconds(100);
        for (var moved = TimeSpan.Zero; moved < total; moved += s)
        {
            for (var i = 0; i < 64; i++)
            {
                await Task.Yield();
            }

            time.Advance(s);
        }

        for (var i = 0; i < 64; i++)
        {
            await Task.Yield();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SlowFirstAttempt_HedgesAfterTheDelay_FirstAnswerWinsAndTheLoserIsCancelledAndRecorded(bool streaming)
    {
        var time = new FakeTimeProvider();
        var slow = Slow(time, TimeSpan.FromSeconds(30));
        var fast = Slow(time, TimeSpan.FromMilliseconds(500), "fast answer");
        var logger = new FakeLogger<ModelRoutingChatClient>();
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Hedged(slow, fast), timeProvider: time, logger: logger);

        var task = GetAsync(client, streaming, Chat());
        await AdvanceAsync(time, TimeSpan.FromMilliseconds(1900));
        Assert.Equal(0, fast.CallCount); // not before the delay

        var response = await time.DriveAsync(task, limit: TimeSpan.FromSeconds(10));

        Assert.Equal("fast answer", response.Text);
        var routing = response.GetRouting()!;
        Assert.Equal("fast", routing.Deployment);
        Assert.Collection(
            routing.Attempts,
            a =>
            {
                Assert.Equal(("slow", RoutingAttemptResult.Cancelled, false, "lost the hedging race"), (a.Deployment, a.Result, a.Hedged, a.Reason));
                Assert.Equal(RoutingFailureKind.Cancelled, a.Failure);
            },
            a => Assert.Equal(("fast", RoutingAttemptResult.Succeeded, true), (a.Deployment, a.Result, a.Hedged)));
        Assert.Equal(1, slow.CallCount);
        Assert.Equal(1, fast.CallCount);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Id.Id == 1709);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Id.Id == 1708);
    }

    [Fact]
    public async Task Streaming_HedgeWins_NoUpdateComesFromTheLoser()
    {
        var time = new FakeTimeProvider();
        var slow = Slow(time, TimeSpan.FromSeconds(30));
        var fast = Slow(time, TimeSpan.FromMilliseconds(500), "fast streamed answer");
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Hedged(slow, fast), timeProvider: time);

        var updates = await time.DriveAsync(client.GetStreamingResponseAsync(Ask(), Chat()).ToListAsync().AsTask(), limit: TimeSpan.FromSeconds(10));

        Assert.Equal("fast streamed answer", string.Concat(updates.Select(u => u.Text)));
        Assert.All(updates.Where(u => u.Text.Length > 0), u => Assert.Equal("fast-model", u.ModelId));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FirstAttemptAnswersBeforeTheDelay_NoHedge(bool streaming)
    {
        var time = new FakeTimeProvider();
        var slow = Slow(time, TimeSpan.FromSeconds(1));
        var fast = Answering("fast", time);
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Hedged(slow, fast), timeProvider: time);

        var response = await time.DriveAsync(GetAsync(client, streaming, Chat()), limit: TimeSpan.FromSeconds(10));
        await AdvanceAsync(time, TimeSpan.FromSeconds(5));

        Assert.Equal("slow answer", response.Text);
        Assert.Single(response.GetRouting()!.Attempts);
        Assert.Equal(0, fast.CallCount);
    }

    [Fact]
    public async Task Streaming_FirstChunkBeforeTheDelay_NeverHedgesWhileLaterChunksAreSlow()
    {
        var time = new FakeTimeProvider();
        var slow = new ScriptedChatClient(time).Otherwise(
            ScriptedResponse.FromText("one two three").ChunkedByWords().WithLatency(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10)));
        var fast = Answering("fast", time);
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Hedged(slow, fast), timeProvider: time);

        await using var stream = client.GetStreamingResponseAsync(Ask(), Chat()).GetAsyncEnumerator();
        var first = stream.MoveNextAsync().AsTask();

        // The clock moves to just short of the hedge delay and then waits, in real time, for the first chunk (due at
        // 500 ms): however late a loaded machine runs that chunk's continuation, the hedge cannot fire before it arrives.
        // Driving the whole stream at once raced it (the clock could pass 2 s while the continuation was still queued).
        await AdvanceAsync(time, HedgeAfter - TimeSpan.FromMilliseconds(100));
        Assert.True(await first.WaitAsync(TimeSpan.FromSeconds(60)));
        var updates = new List<ChatResponseUpdate> { stream.Current };
        updates.AddRange(await time.DriveAsync(RestAsync(stream), limit: TimeSpan.FromSeconds(120)));

        Assert.Equal("one two three", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(0, fast.CallCount);

        static async Task<List<ChatResponseUpdate>> RestAsync(IAsyncEnumerator<ChatResponseUpdate> stream)
        {
            var rest = new List<ChatResponseUpdate>();
            while (await stream.MoveNextAsync())
            {
                rest.Add(stream.Current);
            }

            return rest;
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HedgingOff_SlowFirstAttempt_IsAwaitedAlone(bool streaming)
    {
        var time = new FakeTimeProvider();
        var slow = Slow(time, TimeSpan.FromSeconds(30));
        var fast = Answering("fast", time);
        var options = Hedged(slow, fast);
        options.Groups[0].HedgeAfter = null;
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, timeProvider: time);

        var response = await time.DriveAsync(GetAsync(client, streaming, Chat()), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(31));

        Assert.Equal("slow answer", response.Text);
        Assert.Equal(0, fast.CallCount);
    }

    [Fact]
    public async Task OtherDeploymentAtItsRpmLimit_IsNotUsedToHedge()
    {
        var time = new FakeTimeProvider();
        var slow = Slow(time, TimeSpan.FromSeconds(30));
        var fast = Answering("fast", time);
        var options = Hedged(slow, fast);
        options.Deployments[1].RequestsPerMinute = 1;
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, timeProvider: time);
        await client.GetResponseAsync(Ask(), Chat("fast")); // uses fast's only request this minute

        var response = await time.DriveAsync(client.GetResponseAsync(Ask(), Chat()), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(31));

        Assert.Equal("slow answer", response.Text);
        Assert.Single(response.GetRouting()!.Attempts);
        Assert.Equal(1, fast.CallCount);
    }

    [Fact]
    public async Task FirstAttemptFailsWhileTheHedgeRuns_TheHedgeDecides()
    {
        var time = new FakeTimeProvider();
        var failing = new ScriptedChatClient(time).Otherwise(ScriptedResponse.Failure(() => Http(503)).WithLatency(TimeSpan.FromSeconds(5)));
        var hedge = Slow(time, TimeSpan.FromSeconds(10), "hedge answer");
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Hedged(failing, hedge), timeProvider: time);

        var response = await time.DriveAsync(client.GetResponseAsync(Ask(), Chat()), limit: TimeSpan.FromSeconds(25));

        Assert.Equal("hedge answer", response.Text);
        Assert.Collection(
            response.GetRouting()!.Attempts,
            a => Assert.Equal(("slow", RoutingAttemptResult.FailedOver), (a.Deployment, a.Result)),
            a => Assert.Equal(("fast", RoutingAttemptResult.Succeeded, true), (a.Deployment, a.Result, a.Hedged)));
    }

    [Fact]
    public async Task LosingRaces_DoNotOpenTheLosersCircuit()
    {
        var time = new FakeTimeProvider();
        var slow = Slow(time, TimeSpan.FromSeconds(30));
        var fast = Slow(time, TimeSpan.FromMilliseconds(100), "fast");
        var options = Hedged(slow, fast);
        options.Groups[0].LoadBalancing = LoadBalancingStrategy.LowestCost; // equal prices: slow, the first, every time
        options.Resilience.CircuitMinimumThroughput = 2;
        options.Resilience.CircuitFailureRatio = 0.5;
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, timeProvider: time);

        for (var i = 0; i < 4; i++)
        {
            var response = await time.DriveAsync(client.GetResponseAsync(Ask(), Chat()), limit: TimeSpan.FromSeconds(10));
            Assert.Equal("fast", response.Text);
        }

        Assert.Equal(4, slow.CallCount);
        Assert.Equal(CircuitState.Closed, client.GetCircuitState("slow"));
    }

    [Theory]
    [InlineData(1.5, false)]
    [InlineData(3.0, true)]
    public async Task Budget_HedgesOnlyWhenItCoversTwoAttempts(double attemptsCovered, bool hedges)
    {
        var time = new FakeTimeProvider();
        var calculator = new CostCalculator(new ModelCatalog([new ModelDefinition("slow-model", ModelTier.Medium), new ModelDefinition("fast-model", ModelTier.Medium)]));
        var worstCase = calculator.WorstCase("slow-model", 2, 100, time.GetUtcNow()); // "hello" is 2 tokens by the chars/4 estimate
        var budgets = new BudgetManager([new Budget(Acme, worstCase * (decimal)attemptsCovered)], time);
        var slow = Slow(time, TimeSpan.FromSeconds(30));
        var fast = Slow(time, TimeSpan.FromMilliseconds(100), "fast");
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Hedged(slow, fast), budgets, calculator, timeProvider: time);

        var response = await time.DriveAsync(
            client.GetResponseAsync(Ask(), new ChatOptions { ModelId = "chat", MaxOutputTokens = 100 }.WithScope(Acme)), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(31));

        Assert.Equal(hedges ? "fast" : "slow answer", response.Text);
        Assert.Equal(hedges ? 1 : 0, fast.CallCount);
    }

    [Fact]
    public async Task CallerCancelsDuringTheRace_BothAttemptsEndAndTheCallThrows()
    {
        var time = new FakeTimeProvider();
        var slow = Slow(time, TimeSpan.FromSeconds(30));
        var other = Slow(time, TimeSpan.FromSeconds(30), "other");
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Hedged(slow, other), timeProvider: time);
        using var cts = new CancellationTokenSource();

        var task = client.GetResponseAsync(Ask(), Chat(), cts.Token);
        await AdvanceAsync(time, TimeSpan.FromSeconds(3));
        Assert.Equal(1, other.CallCount);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Metering_LoserAndWinnerAreEachRecordedOnceInTheLedger()
    {
        var time = new FakeTimeProvider();
        var ledger = new InMemoryCostLedger();
        var calculator = new CostCalculator();
        var slow = new CostMeteringChatClient(Slow(time, TimeSpan.FromSeconds(30)), calculator, ledger, timeProvider: time);
        var fast = new CostMeteringChatClient(Slow(time, TimeSpan.FromMilliseconds(500), "fast"), calculator, ledger, timeProvider: time);
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Hedged(slow, fast), timeProvider: time);

        var response = await time.DriveAsync(client.GetResponseAsync(Ask(), Chat()), limit: TimeSpan.FromSeconds(10));

        var records = await ledger.QueryAsync(new CostLedgerQuery());
        Assert.Equal("fast", response.Text);
        Assert.Equal(2, records.Count);
        Assert.Equal([("fast-model", true), ("slow-model", false)], records.Select(r => (r.Model, r.IsComplete)).Order());
    }

    [Fact]
    public void Validate_HedgingOnAGroupOfOneOrWithABadDelay_NamesTheGroup()
    {
        var options = Options(Deployment("a", Answering("a")));
        options.Groups[0].HedgeAfter = TimeSpan.FromSeconds(1);
        options.Groups.Add(new ModelGroup { Name = "neg", Deployments = ["a"], HedgeAfter = TimeSpan.FromSeconds(-1) });

        var errors = string.Join("\n", options.Validate());

        Assert.Contains("Groups['chat'].HedgeAfter is 00:00:01, but the group has 1 deployment", errors, StringComparison.Ordinal);
        Assert.Contains("Groups['neg'].HedgeAfter must be positive", errors, StringComparison.Ordinal);
    }
}
