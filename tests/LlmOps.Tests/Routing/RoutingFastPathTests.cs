using LlmOps.Routing;
using LlmOps.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using Polly.Timeout;
using static LlmOps.Tests.Routing.RoutingTestKit;

namespace LlmOps.Tests.Routing;

/// <summary>
/// The happy path's shortcuts keep the documented behaviour: the answering call's completed task is handed back, per-request
/// state is reused without leaking between requests, and a deployment whose pipeline could do nothing runs without Polly.
/// </summary>
public class RoutingFastPathTests
{
    private sealed class CompletedClient(string text) : IChatClient
    {
        public Task<ChatResponse>? Last { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => Last = Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text)));

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    /// <summary>One deployment alone in its group, no retry, no timeouts: nothing for Polly to do.</summary>
    private static ModelRoutingOptions Bare(params ModelDeployment[] deployments)
    {
        var options = Options(deployments);
        options.Resilience.MaxRetriesPerDeployment = 0;
        options.Resilience.AttemptTimeout = null;
        options.Resilience.TimeToFirstTokenTimeout = null;
        options.Resilience.TotalTimeout = null;
        return options;
    }

    [Fact]
    public async Task GetResponseAsync_InnerCallCompletedAtOnce_HandsBackThatTaskWithTheRoutingInfo()
    {
        var inner = new CompletedClient("Paris.");
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Options(Deployment("a", inner)));

        var task = client.GetResponseAsync(Ask(), Chat());

        Assert.Same(inner.Last, task);
        var response = await task;
        Assert.Equal("a", response.GetRouting()!.Deployment);
        Assert.Single(response.GetRouting()!.Attempts);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ConcurrentRequests_EachGetsItsOwnAnswerAndRoutingRecord(bool streaming)
    {
        var echo = new ScriptedChatClient().Otherwise((messages, _) => ScriptedResponse.FromText("re: " + messages[^1].Text).ChunkedByWords());
        var failing = Failing(() => Http(503));
        var options = Options(Deployment("bad", failing), Deployment("echo", echo));
        options.Resilience.MaxRetriesPerDeployment = 0;
        options.Groups[0].LoadBalancing = LoadBalancingStrategy.LowestCost; // "bad" first, then failover to "echo"
        options.Resilience.CircuitMinimumThroughput = 100_000; // keep "bad" in play for every request
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options);

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => GetAsync(client, streaming, Chat(), $"q{i}"))));

        for (var i = 0; i < responses.Length; i++)
        {
            Assert.Equal($"re: q{i}", responses[i].Text);
            var routing = responses[i].GetRouting()!;
            Assert.Equal(["bad", "echo"], routing.Attempts.Select(a => a.Deployment));
            Assert.Equal([1, 2], routing.Attempts.Select(a => a.Number));
            Assert.Equal("echo", routing.Deployment);
        }
    }

    [Fact]
    public async Task AfterAFailedRequest_TheNextRequestStartsClean()
    {
        var flaky = new ScriptedChatClient().FailOnCall(1, Http(400)).Otherwise("fine");
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Bare(Deployment("a", flaky)));

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync(Ask(), Chat()));
        var response = await client.GetResponseAsync(Ask(), Chat());

        var attempt = Assert.Single(response.GetRouting()!.Attempts);
        Assert.Equal((1, RoutingAttemptResult.Succeeded, (RoutingFailureKind?)null), (attempt.Number, attempt.Result, attempt.Failure));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WithoutPolly_TransientFailure_IsRecordedAndEndsTheRequestAsDocumented(bool streaming)
    {
        var down = Failing(() => Http(503));
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Bare(Deployment("a", down)));

        var ex = await Assert.ThrowsAsync<ModelRoutingException>(() => GetAsync(client, streaming, Chat()));

        Assert.IsType<HttpRequestException>(ex.InnerException);
        var attempt = Assert.Single(ex.Attempts);
        Assert.Equal(RoutingAttemptResult.Failed, attempt.Result);
        Assert.Equal(CircuitState.Closed, client.GetCircuitState("a"));
    }

    [Fact]
    public async Task WithoutPolly_CallerCancellation_Surfaces()
    {
        var slow = new ScriptedChatClient().Otherwise(ScriptedResponse.FromText("late").WithLatency(TimeSpan.FromDays(1)));
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Bare(Deployment("a", slow)));
        using var cts = new CancellationTokenSource();

        var task = client.GetResponseAsync(Ask(), Chat(), cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    /// <summary>A client whose first call waits on the clock (honouring its token) and whose later calls answer at once.</summary>
    private sealed class SlowFirstClient(TimeProvider time, TimeSpan delay) : IChatClient
    {
        private int _calls;

        public int CallCount => Volatile.Read(ref _calls);

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                await Task.Delay(delay, time, cancellationToken);
            }

            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "answer"));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task FirstAttemptOutsidePolly_TimesOut_IsRetriedOnTheSameDeploymentAfterTheAttemptTimeout()
    {
        // One deployment alone in its group (no circuit): its first attempt runs without Polly, under the attempt timeout.
        // No backoff (the kit's zero base delay), and the clock stops at 11 s: the retry needs no timer, the total
        // timeout cannot fire, and the first attempt's recorded duration is bounded.
        var time = new FakeTimeProvider();
        var slow = new SlowFirstClient(time, TimeSpan.FromMinutes(5));
        var options = Options(Deployment("a", slow));
        options.Resilience.MaxRetriesPerDeployment = 1;
        options.Resilience.AttemptTimeout = TimeSpan.FromSeconds(10);
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, timeProvider: time);

        var response = await time.DriveAsync(client.GetResponseAsync(Ask(), Chat()), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(11));

        Assert.Equal("answer", response.Text);
        Assert.Equal(2, slow.CallCount);
        var attempts = response.GetRouting()!.Attempts;
        Assert.Equal([RoutingAttemptResult.Retried, RoutingAttemptResult.Succeeded], attempts.Select(a => a.Result));
        Assert.Equal(RoutingFailureKind.Timeout, attempts[0].Failure);
        Assert.InRange(attempts[0].Duration, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(11));
    }

    [Fact]
    public async Task FirstAttemptOutsidePolly_NoRetryLeft_TimeoutEndsTheRequest()
    {
        var time = new FakeTimeProvider();
        var slow = new SlowFirstClient(time, TimeSpan.FromMinutes(5));
        var options = Options(Deployment("a", slow));
        options.Resilience.MaxRetriesPerDeployment = 0;
        options.Resilience.AttemptTimeout = TimeSpan.FromSeconds(10);
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, timeProvider: time);

        var ex = await Assert.ThrowsAsync<ModelRoutingException>(() => time.DriveAsync(client.GetResponseAsync(Ask(), Chat()), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(11)));

        Assert.IsType<TimeoutRejectedException>(ex.InnerException);
        Assert.Equal(1, slow.CallCount);
        Assert.Equal(RoutingFailureKind.Timeout, Assert.Single(ex.Attempts).Failure);
    }

    [Fact]
    public async Task FirstAttemptOutsidePolly_CallerCancelsDuringIt_SurfacesCancellationWithoutRetry()
    {
        var time = new FakeTimeProvider();
        var slow = new SlowFirstClient(time, TimeSpan.FromMinutes(5));
        var options = Options(Deployment("a", slow));
        options.Resilience.MaxRetriesPerDeployment = 3;
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, timeProvider: time);
        using var cts = new CancellationTokenSource();

        var task = client.GetResponseAsync(Ask(), Chat(), cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(1, slow.CallCount);
    }

    [Fact]
    public async Task GetResponseAsync_CancelledBeforeTheCall_CallsNoDeployment()
    {
        var a = Answering("never");
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Options(Deployment("a", a)));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var task = client.GetResponseAsync(Ask(), Chat(), cts.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        Assert.True(task.IsCanceled);
        Assert.Equal(0, a.CallCount);
    }

    /// <summary>Answers with its name once released (or at once when no gate is set); the clock moves by its latency during the call.</summary>
    private sealed class NamedClient(string name, FakeTimeProvider? time = null, TimeSpan latency = default) : IChatClient
    {
        public TaskCompletionSource? Gate { get; set; }

        public int CallCount { get; private set; }

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            CallCount++;
            time?.Advance(latency);
            if (Gate is { } gate)
            {
                await gate.Task.WaitAsync(cancellationToken);
            }

            return new ChatResponse(new ChatMessage(ChatRole.Assistant, name));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task GetResponseAsync_LeastInFlightGroup_SendsTheNextRequestToTheIdleDeployment()
    {
        // The in-flight count is kept only for deployments a least-in-flight group of several picks among: it must be here.
        var a = new NamedClient("a") { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var b = new NamedClient("b");
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Bare(Deployment("a", a), Deployment("b", b)));

        var first = client.GetResponseAsync(Ask(), Chat());
        var second = await client.GetResponseAsync(Ask(), Chat()).WaitAsync(TimeSpan.FromSeconds(30)); // a would hold it
        a.Gate.SetResult();

        // The first request must have finished (its attempt left a's in-flight count) before the third is routed: the
        // gate's continuation runs on the thread pool, and sending the third at once raced it under load.
        var firstAnswer = await first.WaitAsync(TimeSpan.FromSeconds(30));
        var third = await client.GetResponseAsync(Ask(), Chat());

        Assert.Equal("a", firstAnswer.Text);
        Assert.Equal("b", second.Text); // a had one call in flight
        Assert.Equal("a", third.Text);  // none in flight again: the tie goes to the first
        Assert.Equal("a", firstAnswer.GetRouting()!.Deployment);
    }

    [Fact]
    public async Task GetResponseAsync_LatencyEwmaGroup_PrefersTheFasterDeploymentOnceBothAreTimed()
    {
        // The latency average is kept only for deployments a latency group of several picks among: it must be here.
        var time = new FakeTimeProvider();
        var slow = new NamedClient("slow", time, TimeSpan.FromMilliseconds(900));
        var fast = new NamedClient("fast", time, TimeSpan.FromMilliseconds(50));
        var options = Bare(Deployment("slow", slow), Deployment("fast", fast));
        options.Groups[0].LoadBalancing = LoadBalancingStrategy.LatencyEwma;
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, timeProvider: time);

        var answers = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add((await client.GetResponseAsync(Ask(), Chat())).Text);
        }

        // Untimed deployments first (in order), then the faster one every time.
        Assert.Equal(["slow", "fast", "fast", "fast"], answers);
        Assert.Equal(1, slow.CallCount);
    }

    [Fact]
    public async Task GetResponseAsync_AttemptsOfOneRequest_AreNumberedFromOneInOrder()
    {
        var a = Failing(() => Http(503));
        var b = Answering("ok");
        var options = Bare(Deployment("a", a), Deployment("b", b));
        options.Resilience.MaxRetriesPerDeployment = 1;
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options);

        var response = await client.GetResponseAsync(Ask(), Chat());
        var again = await client.GetResponseAsync(Ask(), Chat());

        Assert.Equal([1, 2, 3], response.GetRouting()!.Attempts.Select(static x => x.Number));
        Assert.Equal(RoutingAttemptResult.Succeeded, response.GetRouting()!.Attempts[2].Result);
        Assert.Equal(3, response.GetRouting()!.AttemptCount);
        Assert.Equal([1, 2, 3], again.GetRouting()!.Attempts.Select(static x => x.Number)); // per request, not per client
    }
}
