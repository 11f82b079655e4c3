using LlmOps.Metering;
using LlmOps.Routing;
using LlmOps.Telemetry;
using LlmOps.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using Polly.Timeout;
using static LlmOps.Tests.Routing.RoutingTestKit;

namespace LlmOps.Tests.Routing;

public class ModelRoutingChatClientTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_ExplicitGroup_AnswersFromItsDeploymentAndReportsIt(bool streaming)
    {
        var a = Answering("from a");
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Options(Deployment("a", a)));

        var response = await GetAsync(client, streaming, Chat());

        Assert.Equal("from a", response.Text);
        var routing = response.GetRouting();
        Assert.NotNull(routing);
        Assert.Equal("a", routing.Deployment);
        Assert.Equal("chat", routing.AnsweredGroup);
        Assert.Equal("explicit", routing.Reason);
        var attempt = Assert.Single(routing.Attempts);
        Assert.Equal(RoutingAttemptResult.Succeeded, attempt.Result);
        Assert.Equal("a-model", a.Requests[0].Options!.ModelId);
    }

    [Fact]
    public async Task GetResponseAsync_DeploymentWithoutClient_CallsInnerClientWithItsModelId()
    {
        var inner = Answering("inner");
        var options = Options(new ModelDeployment { Name = "d", ModelId = "gpt-x" });
        using var client = new ModelRoutingChatClient(inner, options);

        var response = await client.GetResponseAsync(Ask(), Chat());

        Assert.Equal("inner", response.Text);
        Assert.Equal("gpt-x", inner.Requests[0].Options!.ModelId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_TransientFailure_RetriesSameDeploymentThenSucceeds(bool streaming)
    {
        var time = new FakeTimeProvider();
        var a = new ScriptedChatClient(time).Otherwise("ok");
        a.FailOnCall(1, Http(503));
        var b = Answering("from b");
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Options(Deployment("a", a), Deployment("b", b)), timeProvider: time);

        var response = await time.DriveAsync(GetAsync(client, streaming, Chat()));

        Assert.Equal("ok", response.Text);
        Assert.Equal(2, a.CallCount);
        Assert.Equal(0, b.CallCount);
        var attempts = response.GetRouting()!.Attempts;
        Assert.Equal([RoutingAttemptResult.Retried, RoutingAttemptResult.Succeeded], attempts.Select(x => x.Result));
        Assert.Equal(RoutingFailureKind.Transient, attempts[0].Failure);
    }

    [Fact]
    public async Task GetResponseAsync_RateLimitedWithRetryAfter_WaitsExactlyThatLongOnTheClock()
    {
        var time = new FakeTimeProvider();
        var a = new ScriptedChatClient(time).Otherwise("ok");
        a.FailOnCall(1, Http(429, TimeSpan.FromSeconds(3)));
        var options = Options(Deployment("a", a));
        options.Resilience.RetryBaseDelay = TimeSpan.FromMilliseconds(100);
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, timeProvider: time);

        var task = client.GetResponseAsync(Ask(), Chat());
        await Task.Yield();
        Assert.Equal(1, a.CallCount);
        time.Advance(TimeSpan.FromMilliseconds(2_900));
        await Task.Yield();
        Assert.Equal(1, a.CallCount);
        Assert.False(task.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(100));
        var response = await task;

        Assert.Equal(2, a.CallCount);
        Assert.Equal(RoutingFailureKind.RateLimited, response.GetRouting()!.Attempts[0].Failure);
    }

    [Fact]
    public async Task GetResponseAsync_RetryAfterLongerThanAllowed_FailsOverAtOnce()
    {
        var time = new FakeTimeProvider();
        var a = Failing(() => Http(429, TimeSpan.FromMinutes(5)));
        var b = Answering("from b");
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Options(Deployment("a", a), Deployment("b", b)), timeProvider: time);

        var response = await client.GetResponseAsync(Ask(), Chat());

        Assert.Equal("from b", response.Text);
        Assert.Equal(1, a.CallCount);
        Assert.Equal(RoutingAttemptResult.FailedOver, response.GetRouting()!.Attempts[0].Result);
    }

    [Fact]
    public async Task GetResponseAsync_BackoffWithoutRetryAfter_GrowsExponentiallyOnTheClock()
    {
        var time = new FakeTimeProvider();
        var a = new ScriptedChatClient(time).Otherwise("ok");
        a.FailOnCall(1, Http(503)).FailOnCall(2, Http(503));
        var options = Options(Deployment("a", a));
        options.Resilience.MaxRetriesPerDeployment = 2;
        options.Resilience.RetryBaseDelay = TimeSpan.FromSeconds(1);
        options.Resilience.Randomizer = () => 0.5;
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, timeProvider: time);
        var start = time.GetUtcNow();

        var response = await time.DriveAsync(client.GetResponseAsync(Ask(), Chat()), TimeSpan.FromMilliseconds(50));

        Assert.Equal(3, a.CallCount);
        var waited = time.GetUtcNow() - start;
        // Two backoffs of the decorrelated-jitter exponential curve from a 1 s base: more than the base, under the cap.
        Assert.InRange(waited, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        Assert.Equal(3, response.GetRouting()!.AttemptCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_DeploymentHardDown_FailsOverToTheNext(bool streaming)
    {
        var time = new FakeTimeProvider();
        var a = Failing(() => Http(500));
        var b = Answering("from b");
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Options(Deployment("a", a), Deployment("b", b)), timeProvider: time);

        var response = await time.DriveAsync(GetAsync(client, streaming, Chat()));

        Assert.Equal("from b", response.Text);
        Assert.Equal(2, a.CallCount); // first try and one retry
        var routing = response.GetRouting()!;
        Assert.Equal("b", routing.Deployment);
        Assert.Equal([RoutingAttemptResult.Retried, RoutingAttemptResult.FailedOver, RoutingAttemptResult.Succeeded], routing.Attempts.Select(x => x.Result));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(422)]
    public async Task GetResponseAsync_ClientError_SurfacesUnchangedWithoutRetryOrFailover(int status)
    {
        var a = Failing(() => Http(status));
        var b = Answering("from b");
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Options(Deployment("a", a), Deployment("b", b)));

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync(Ask(), Chat()));

        Assert.Equal(status, (int)ex.StatusCode!);
        Assert.Equal(1, a.CallCount);
        Assert.Equal(0, b.CallCount);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task GetResponseAsync_Unauthorized_SurfacesModelRoutingExceptionNamingTheDeployment(int status)
    {
        var a = Failing(() => Http(status));
        var b = Answering("from b");
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Options(Deployment("a", a), Deployment("b", b)));

        var ex = await Assert.ThrowsAsync<ModelRoutingException>(() => client.GetResponseAsync(Ask(), Chat()));

        Assert.Contains("Deployment 'a'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("credentials", ex.Message, StringComparison.Ordinal);
        Assert.IsType<HttpRequestException>(ex.InnerException);
        Assert.Equal(0, b.CallCount);
    }

    [Fact]
    public async Task GetResponseAsync_ContextWindowExceeded_FailsOverOnlyToALargerWindow()
    {
        var small = Failing(() => Http(400, message: "This model's maximum context length is 8192 tokens (context_length_exceeded)."));
        var alsoSmall = Answering("also small");
        var large = Answering("large");
        var options = Options(Deployment("small", small), Deployment("small2", alsoSmall), Deployment("large", large));
        options.Deployments[0].ContextWindow = 8192;
        options.Deployments[1].ContextWindow = 8192;
        options.Deployments[2].ContextWindow = 128_000;
        options.Groups[0].LoadBalancing = LoadBalancingStrategy.LowestCost; // equal prices: the order decides, small first
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options);

        var response = await client.GetResponseAsync(Ask(), Chat());

        Assert.Equal("large", response.Text);
        Assert.Equal(1, small.CallCount);
        Assert.Equal(0, alsoSmall.CallCount);
        Assert.Equal(RoutingFailureKind.ContextWindowExceeded, response.GetRouting()!.Attempts[0].Failure);
    }

    [Fact]
    public async Task GetResponseAsync_ContentFilterWithoutPolicyFallback_Surfaces()
    {
        var a = Failing(() => Http(400, message: "The response was filtered due to the prompt triggering the content management policy."));
        var b = Answering("b");
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Options(Deployment("a", a), Deployment("b", b)));

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync(Ask(), Chat()));

        Assert.Equal(0, b.CallCount);
    }

    [Fact]
    public async Task GetResponseAsync_ContentFilterWithPolicyFallback_GoesToThatGroupOnly()
    {
        var a = Failing(() => Http(400, message: "content_filter"));
        var b = Answering("b");
        var lenient = Answering("lenient");
        var options = Options(Deployment("a", a), Deployment("b", b), Deployment("l", lenient));
        options.Groups[0].Deployments = ["a", "b"];
        options.Groups[0].LoadBalancing = LoadBalancingStrategy.LowestCost;
        options.Groups.Add(new ModelGroup { Name = "lenient", Deployments = ["l"] });
        options.Groups[0].ContentPolicyFallbacks = ["lenient"];
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options);

        var response = await client.GetResponseAsync(Ask(), Chat());

        Assert.Equal("lenient", response.Text);
        Assert.Equal(0, b.CallCount);
        Assert.Equal("lenient", response.GetRouting()!.AnsweredGroup);
    }

    [Fact]
    public async Task GetResponseAsync_WholeGroupDown_FallsBackToNextGroupInOrder()
    {
        var time = new FakeTimeProvider();
        var a = Failing(() => Http(503));
        var second = Answering("second");
        var third = Answering("third");
        var options = Options(Deployment("a", a), Deployment("s", second), Deployment("t", third));
        options.Groups[0].Deployments = ["a"];
        options.Groups.Add(new ModelGroup { Name = "medium-other", Deployments = ["s"] });
        options.Groups.Add(new ModelGroup { Name = "small-other", Deployments = ["t"] });
        options.Groups[0].Fallbacks = ["medium-other", "small-other"];
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, timeProvider: time);

        var response = await time.DriveAsync(client.GetResponseAsync(Ask(), Chat()));

        Assert.Equal("second", response.Text);
        Assert.Equal("medium-other", response.GetRouting()!.AnsweredGroup);
        Assert.Equal(0, third.CallCount);
    }

    [Fact]
    public async Task GetResponseAsync_EverythingFails_ThrowsModelRoutingExceptionWithLastFailureAndAttempts()
    {
        var time = new FakeTimeProvider();
        var a = Failing(() => Http(503));
        var b = Failing(() => Http(502));
        var options = Options(Deployment("a", a), Deployment("b", b));
        options.MaxAttempts = 3;
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, timeProvider: time);

        var ex = await Assert.ThrowsAsync<ModelRoutingException>(() => time.DriveAsync(client.GetResponseAsync(Ask(), Chat())));

        Assert.Equal(3, a.CallCount + b.CallCount);
        Assert.Equal(3, ex.Attempts.Count);
        Assert.Equal(RoutingAttemptResult.Failed, ex.Attempts[^1].Result);
        Assert.IsType<HttpRequestException>(ex.InnerException);
        Assert.Contains("MaxAttempts (3)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Circuit_FailingDeployment_OpensThenTrafficSkipsItUntilCooldownEnds()
    {
        var time = new FakeTimeProvider();
        var a = Failing(() => Http(500));
        var b = Answering("b");
        var options = Options(Deployment("a", a), Deployment("b", b));
        options.Resilience.MaxRetriesPerDeployment = 0;
        options.Resilience.CircuitMinimumThroughput = 3;
        options.Groups[0].LoadBalancing = LoadBalancingStrategy.LowestCost; // a first while it is healthy
        var logger = new FakeLogger<ModelRoutingChatClient>();
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, timeProvider: time, logger: logger);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("b", (await client.GetResponseAsync(Ask(), Chat())).Text);
        }

        Assert.Equal(CircuitState.Open, client.GetCircuitState("a"));
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Id.Id == 1702);
        var before = a.CallCount;
        await client.GetResponseAsync(Ask(), Chat());
        Assert.Equal(before, a.CallCount); // cooling down: not called

        time.Advance(options.Resilience.CooldownDuration + TimeSpan.FromSeconds(1));
        await client.GetResponseAsync(Ask(), Chat());
        Assert.Equal(before + 1, a.CallCount); // one trial after the cooldown
    }

    [Fact]
    public async Task Circuit_LastHealthyDeploymentOfGroup_IsNeverCooledDown()
    {
        var time = new FakeTimeProvider();
        var a = Failing(() => Http(500));
        var b = Failing(() => Http(500));
        var options = Options(Deployment("a", a), Deployment("b", b));
        options.Resilience.MaxRetriesPerDeployment = 0;
        options.Resilience.CircuitMinimumThroughput = 2;
        options.Groups[0].LoadBalancing = LoadBalancingStrategy.LowestCost;
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, timeProvider: time);

        for (var i = 0; i < 20; i++)
        {
            await Assert.ThrowsAsync<ModelRoutingException>(() => client.GetResponseAsync(Ask(), Chat()));
        }

        Assert.Equal(CircuitState.Open, client.GetCircuitState("a"));
        Assert.Equal(CircuitState.Closed, client.GetCircuitState("b"));
        Assert.True(b.CallCount >= 19);
    }

    [Fact]
    public async Task Circuit_BurstOfClientErrors_NeverOpensIt()
    {
        var a = Failing(() => Http(400));
        var b = Answering("b");
        var options = Options(Deployment("a", a), Deployment("b", b));
        options.Resilience.CircuitMinimumThroughput = 2;
        options.Groups[0].LoadBalancing = LoadBalancingStrategy.LowestCost;
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options);

        for (var i = 0; i < 20; i++)
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync(Ask(), Chat()));
        }

        Assert.Equal(CircuitState.Closed, client.GetCircuitState("a"));
        Assert.Equal(20, a.CallCount);
    }

    [Fact]
    public async Task GetResponseAsync_AttemptTimeout_FailsOverOnTheFakeClock()
    {
        var time = new FakeTimeProvider();
        var slow = new ScriptedChatClient(time).Otherwise(ScriptedResponse.FromText("slow").WithLatency(TimeSpan.FromMinutes(5)));
        var fast = Answering("fast");
        var options = Options(Deployment("slow", slow), Deployment("fast", fast));
        options.Resilience.MaxRetriesPerDeployment = 0;
        options.Resilience.AttemptTimeout = TimeSpan.FromSeconds(10);
        options.Groups[0].LoadBalancing = LoadBalancingStrategy.LowestCost;
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, timeProvider: time);
        var start = time.GetUtcNow();

        var response = await time.DriveAsync(client.GetResponseAsync(Ask(), Chat()), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(11));

        Assert.Equal("fast", response.Text);
        var first = response.GetRouting()!.Attempts[0];
        Assert.Equal(RoutingFailureKind.Timeout, first.Failure);
        Assert.InRange(first.Duration, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(11));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_FirstTokenTimeout_FailsOverBeforeAnyTextAndStreamsOneDeploymentOnly()
    {
        var time = new FakeTimeProvider();
        var slow = new ScriptedChatClient(time).Otherwise(ScriptedResponse.FromText("slow words").ChunkedByWords().WithLatency(TimeSpan.FromSeconds(30)));
        var fast = Answering("fast words here");
        var options = Options(Deployment("slow", slow), Deployment("fast", fast));
        options.Resilience.MaxRetriesPerDeployment = 0;
        options.Resilience.TimeToFirstTokenTimeout = TimeSpan.FromSeconds(5);
        options.Groups[0].LoadBalancing = LoadBalancingStrategy.LowestCost;
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, timeProvider: time);

        var updates = await time.DriveAsync(client.GetStreamingResponseAsync(Ask(), Chat()).ToListAsync().AsTask(), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(6));

        Assert.Equal("fast words here", string.Concat(updates.Select(u => u.Text)));
        Assert.All(updates.Where(u => u.Text.Length > 0), u => Assert.Equal("fast-model", u.ModelId));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_FaultAfterFirstChunk_SurfacesAsIsWithoutFailover()
    {
        var broken = new ScriptedChatClient().Otherwise(ScriptedResponse.FromText("one two three").ChunkedByWords().FaultAfterChunk(1));
        var other = Answering("other");
        var options = Options(Deployment("broken", broken), Deployment("other", other));
        options.Groups[0].LoadBalancing = LoadBalancingStrategy.LowestCost;
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options);
        var seen = new List<string>();

        await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(Ask(), Chat()))
            {
                seen.Add(update.Text);
            }
        });

        Assert.Equal(["one"], seen);
        Assert.Equal(1, broken.CallCount);
        Assert.Equal(0, other.CallCount);
    }

    [Fact]
    public async Task GetResponseAsync_TotalTimeout_ThrowsTimeoutRejected()
    {
        var time = new FakeTimeProvider();
        var slow = new ScriptedChatClient(time).Otherwise(ScriptedResponse.FromText("slow").WithLatency(TimeSpan.FromMinutes(10)));
        var options = Options(Deployment("slow", slow));
        options.Resilience.AttemptTimeout = null;
        options.Resilience.TotalTimeout = TimeSpan.FromSeconds(30);
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, timeProvider: time);

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => time.DriveAsync(client.GetResponseAsync(Ask(), Chat()), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(31)));
    }

    [Fact]
    public async Task GetResponseAsync_CallerCancels_SurfacesCancellationWithoutFailover()
    {
        var time = new FakeTimeProvider();
        var slow = new ScriptedChatClient(time).Otherwise(ScriptedResponse.FromText("slow").WithLatency(TimeSpan.FromMinutes(1)));
        var other = Answering("other");
        var options = Options(Deployment("slow", slow), Deployment("other", other));
        options.Groups[0].LoadBalancing = LoadBalancingStrategy.LowestCost;
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, timeProvider: time);
        using var cts = new CancellationTokenSource();

        var task = client.GetResponseAsync(Ask(), Chat(), cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        Assert.Equal(0, other.CallCount);
    }

    [Fact]
    public async Task GetResponseAsync_UnknownModel_ThrowsModelRoutingExceptionListingGroups()
    {
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Options(Deployment("a", Answering("a"))));

        var ex = await Assert.ThrowsAsync<ModelRoutingException>(() => client.GetResponseAsync(Ask(), Chat("gpt-unknown")));

        Assert.Contains("'gpt-unknown'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("chat", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_DeploymentNamedExplicitly_PinsIt()
    {
        var a = Answering("a");
        var b = Answering("b");
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Options(Deployment("a", a), Deployment("b", b)));

        var response = await client.GetResponseAsync(Ask(), Chat("b"));

        Assert.Equal("b", response.Text);
        Assert.Equal(0, a.CallCount);
    }

    [Fact]
    public async Task GetResponseAsync_CallerOptions_AreNotMutated()
    {
        var a = Answering("a");
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Options(Deployment("a", a)));
        var options = Chat();

        await client.GetResponseAsync(Ask(), options);

        Assert.Equal("chat", options.ModelId);
        Assert.Null(options.AdditionalProperties);
    }

    [Fact]
    public async Task GetResponseAsync_FailoverIsLoggedOnceWithItsEventId()
    {
        var time = new FakeTimeProvider();
        var options = Options(Deployment("a", Failing(() => Http(500))), Deployment("b", Answering("b")));
        options.Resilience.MaxRetriesPerDeployment = 0;
        options.Groups[0].LoadBalancing = LoadBalancingStrategy.LowestCost;
        var logger = new FakeLogger<ModelRoutingChatClient>();
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, timeProvider: time, logger: logger);

        await client.GetResponseAsync(Ask(), Chat());

        var record = Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 1701);
        Assert.Contains("'a'", record.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Telemetry_AttemptsAndFailovers_AreCountedWithGroupAndDeployment()
    {
        using var telemetry = new LlmOpsTelemetry();
        using var metrics = new LlmOps.Tests.TestDoubles.MetricRecorder(telemetry.Meter);
        var options = Options(Deployment("a", Failing(() => Http(500))), Deployment("b", Answering("b")));
        options.Resilience.MaxRetriesPerDeployment = 0;
        options.Groups[0].LoadBalancing = LoadBalancingStrategy.LowestCost;
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, telemetry: telemetry);

        await client.GetResponseAsync(Ask(), Chat());

        var attempts = metrics.Of(RoutingTelemetryNames.Attempts);
        Assert.Equal(["failed_over", "succeeded"], attempts.Select(m => (string)m.Tag(RoutingTelemetryNames.OutcomeAttribute)!));
        var failover = metrics.Single(RoutingTelemetryNames.Failovers);
        Assert.Equal("a", failover.Tag(RoutingTelemetryNames.DeploymentAttribute));
        Assert.Equal("transient", failover.Tag(RoutingTelemetryNames.FailureAttribute));
    }

    [Fact]
    public async Task Telemetry_OneChildSpanPerAttempt()
    {
        using var telemetry = new LlmOpsTelemetry();
        var spans = new List<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => ReferenceEquals(s, telemetry.ActivitySource),
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllData,
            ActivityStopped = spans.Add,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        var options = Options(Deployment("a", Failing(() => Http(500))), Deployment("b", Answering("b")));
        options.Resilience.MaxRetriesPerDeployment = 0;
        options.Groups[0].LoadBalancing = LoadBalancingStrategy.LowestCost;
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, telemetry: telemetry);

        using (var parent = telemetry.ActivitySource.StartActivity("request"))
        {
            await client.GetResponseAsync(Ask(), Chat());
        }

        var attempts = spans.Where(s => s.OperationName == RoutingTelemetryNames.AttemptActivity).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, s => Assert.Equal("request", s.Parent?.OperationName));
        Assert.Equal(["a", "b"], attempts.Select(s => (string)s.GetTagItem(RoutingTelemetryNames.DeploymentAttribute)!));
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsNamingEveryProblem()
    {
        var options = Options(Deployment("a", Answering("a")));
        options.Groups.Add(new ModelGroup { Name = "empty" });
        options.Groups[0].Deployments.Add("ghost");

        var ex = Assert.Throws<ArgumentException>(() => new ModelRoutingChatClient(new ScriptedChatClient(), options));

        Assert.Contains("'ghost'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Groups['empty'] has no deployments", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => new ModelRoutingChatClient(null!, Options(Deployment("a", Answering("a")))));
        Assert.Throws<ArgumentNullException>(() => new ModelRoutingChatClient(new ScriptedChatClient(), null!));
    }

    [Fact]
    public async Task GetResponseAsync_NullMessages_Throws()
    {
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Options(Deployment("a", Answering("a"))));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.GetResponseAsync(null!));
        Assert.Throws<ArgumentNullException>(() => client.GetStreamingResponseAsync(null!));
    }

    [Fact]
    public void GetService_ReturnsTheClient()
    {
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Options(Deployment("a", Answering("a"))));
        Assert.Same(client, client.GetService<ModelRoutingChatClient>());
    }
}
