using LlmOps.Routing;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.Timeout;

namespace LlmOps.Tests.Routing;

/// <summary>
/// The routing pipelines' timeout (issue 16): armed only when the call yields, for what is left of the timeout, and
/// failing like Polly's own timeout strategy.
/// </summary>
public sealed class DeferredTimeoutStrategyTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static ResiliencePipeline Pipeline(TimeProvider time, TimeSpan? timeout = null)
        => DeferredTimeoutStrategy.Add(new ResiliencePipelineBuilder { TimeProvider = time }, _ => timeout ?? Timeout, time).Build();

    /// <summary>Runs <paramref name="call"/> as the routing callbacks run: on the token the strategy gives it.</summary>
    private static async Task<T> Run<T>(ResiliencePipeline pipeline, Func<CancellationToken, ValueTask<T>> call, CancellationToken outer = default)
    {
        var context = ResilienceContextPool.Shared.Get(outer);
        try
        {
            return await pipeline.ExecuteAsync(static (ctx, call) => call(DeferredTimeoutStrategy.TokenOf(ctx)), context, call);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    [Fact]
    public async Task Execute_CallCompletesAtOnce_CreatesNoTimerAndPassesACancellableToken()
    {
        var time = new CountingTimeProvider();
        var pipeline = Pipeline(time);
        var seen = new List<CancellationToken>();

        for (var i = 0; i < 3; i++)
        {
            var answer = await Run(pipeline, ct =>
            {
                seen.Add(ct);
                return ValueTask.FromResult(42);
            });
            Assert.Equal(42, answer);
        }

        Assert.Equal(0, time.TimersCreated);
        Assert.All(seen, ct => Assert.True(ct.CanBeCanceled));
        Assert.All(seen, ct => Assert.False(ct.IsCancellationRequested));
    }

    [Fact]
    public async Task Execute_CallOutlastsTheTimeout_ThrowsTimeoutRejectedWrappingTheCancellation()
    {
        var time = new FakeTimeProvider();
        var pipeline = Pipeline(time);

        var run = Run(pipeline, async ct =>
        {
            await Task.Delay(TimeSpan.FromMinutes(5), time, ct);
            return 1;
        });
        time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(run.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.2));

        var error = await Assert.ThrowsAsync<TimeoutRejectedException>(() => run);
        Assert.Equal(Timeout, error.Timeout);
        Assert.IsAssignableFrom<OperationCanceledException>(error.InnerException);
        Assert.Contains("00:00:10", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_CallSpendsPartOfTheTimeoutBeforeYielding_TimesOutAfterWhatIsLeft()
    {
        var time = new FakeTimeProvider();
        var pipeline = Pipeline(time);

        var run = Run(pipeline, async ct =>
        {
            time.Advance(TimeSpan.FromSeconds(4)); // synchronous work before the call yields
            await Task.Delay(TimeSpan.FromMinutes(5), time, ct);
            return 1;
        });
        time.Advance(TimeSpan.FromSeconds(5.9));
        Assert.False(run.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.2));

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => run);
    }

    [Fact]
    public async Task Execute_OuterTokenCancelledWhileWaiting_SurfacesTheCancellationNotATimeout()
    {
        var time = new FakeTimeProvider();
        var pipeline = Pipeline(time);
        using var caller = new CancellationTokenSource();

        var run = Run(
            pipeline,
            async ct =>
            {
                await Task.Delay(TimeSpan.FromMinutes(5), time, ct);
                return 1;
            },
            caller.Token);
        await caller.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.IsNotType<TimeoutRejectedException>(error);
    }

    [Fact]
    public async Task Execute_AfterATimedOutCall_TheNextCallGetsAFreshToken()
    {
        var time = new FakeTimeProvider();
        var pipeline = Pipeline(time);
        var run = Run(pipeline, async ct =>
        {
            await Task.Delay(TimeSpan.FromMinutes(5), time, ct);
            return 1;
        });
        time.Advance(TimeSpan.FromSeconds(11));
        await Assert.ThrowsAsync<TimeoutRejectedException>(() => run);

        var cancelled = await Run(pipeline, ct => ValueTask.FromResult(ct.IsCancellationRequested));

        Assert.False(cancelled);
    }

    [Fact]
    public async Task Execute_CallThatYieldsAndAnswersInTime_ReturnsItsAnswer()
    {
        var time = new FakeTimeProvider();
        var pipeline = Pipeline(time);

        var run = Run(pipeline, async ct =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3), time, ct);
            return 7;
        });
        time.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(7, await run);
        time.Advance(TimeSpan.FromSeconds(30)); // the disarmed timer must not fire into a later call
        Assert.False(await Run(pipeline, ct => ValueTask.FromResult(ct.IsCancellationRequested)));
    }

    [Fact]
    public async Task Execute_NoTimeout_RunsTheCallOnTheOuterToken()
    {
        var pipeline = Pipeline(new FakeTimeProvider(), TimeSpan.Zero);
        using var caller = new CancellationTokenSource();

        var seen = await Run(pipeline, ct => ValueTask.FromResult(ct), caller.Token);

        Assert.Equal(caller.Token, seen);
    }

    /// <summary>The system clock, counting the timers it is asked for.</summary>
    private sealed class CountingTimeProvider : TimeProvider
    {
        public int TimersCreated { get; private set; }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            TimersCreated++;
            return TimeProvider.System.CreateTimer(callback, state, dueTime, period);
        }
    }
}
