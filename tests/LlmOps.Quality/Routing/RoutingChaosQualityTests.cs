using System.Net;
using LlmOps.Metering;
using LlmOps.Routing;
using LlmOps.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.Simmy;
using Polly.Simmy.Fault;
using Xunit.Abstractions;

namespace LlmOps.Quality.Routing;

/// <summary>
/// Chaos with Polly.Core's own chaos strategies over <see cref="ScriptedChatClient"/> deployments: 10,000 requests with
/// 20% injected faults, 5% injected latency past the attempt timeout, bursts of 429 with Retry-After, and one deployment
/// hard down. Everything runs on a fake clock.
/// </summary>
[Collection(nameof(ChaosCollection))]
public class RoutingChaosQualityTests(ITestOutputHelper output)
{
    private const int Requests = 10_000;

    /// <summary>Runs every call of a deployment through a chaos pipeline before the scripted provider answers.</summary>
    private sealed class ChaosChatClient(IChatClient inner, ResiliencePipeline chaos) : DelegatingChatClient(inner)
    {
        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => await chaos.ExecuteAsync(async ct => await base.GetResponseAsync(messages, options, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

        public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            // The chaos decides (fault, latency) before the provider starts streaming, like a connection that fails to open.
            await chaos.ExecuteAsync(static _ => ValueTask.CompletedTask, cancellationToken).ConfigureAwait(false);
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }
        }
    }

    private static HttpRequestException Status(int status, TimeSpan? retryAfter = null)
    {
        var ex = new HttpRequestException($"Response status code does not indicate success: {status}.", null, (HttpStatusCode)status);
        if (retryAfter is { } delay)
        {
            ex.Data[RoutingFailureClassifier.RetryAfterKey] = delay;
        }

        return ex;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TenThousandRequests_UnderChaos_EachSucceedsOrFailsAsDocumented_MeteredOncePerAttempt(bool hedging)
    {
        var time = new FakeTimeProvider();
        var random = new Random(42);
        var burst = 0; // requests left in the current 429 burst
        var ledger = new InMemoryCostLedger(recentRecords: 100_000); // every attempt must stay countable (the default window keeps 10,000)
        var calculator = new CostCalculator(new ModelCatalog([], defaultTier: ModelTier.Medium));
        var scripted = new List<ScriptedChatClient>();
        var options = new ModelRoutingOptions { MaxAttempts = 6 };
        options.Resilience.RetryBaseDelay = TimeSpan.FromMilliseconds(200);
        options.Resilience.AttemptTimeout = TimeSpan.FromSeconds(10);
        options.Resilience.TimeToFirstTokenTimeout = TimeSpan.FromSeconds(10);
        options.Resilience.TotalTimeout = null;
        options.Resilience.Randomizer = () => random.NextDouble();
        for (var i = 0; i < 5; i++)
        {
            var model = $"model-{i}";
            var provider = new ScriptedChatClient(time, defaultModelId: model)
                .WhenLastUserMessageContains("break-mid-stream", ScriptedResponse.FromText("partial answer here").ChunkedByWords().FaultAfterChunk(1).WithUsage(5, 3))
                .Otherwise(ScriptedResponse.FromText($"answer from {model}").ChunkedByWords().WithUsage(20, 5));
            scripted.Add(provider);
            var chaos = new ResiliencePipelineBuilder { TimeProvider = time };
            if (i == 0)
            {
                chaos.AddChaosFault(1.0, static () => Status(503)); // hard down
            }
            else
            {
                var index = i;
                chaos.AddChaosFault(new ChaosFaultStrategyOptions
                {
                    // Bursts of 429 with Retry-After on deployment 1.
                    EnabledGenerator = _ => new ValueTask<bool>(index == 1 && Volatile.Read(ref burst) > 0),
                    InjectionRate = 1.0,
                    FaultGenerator = new FaultGenerator().AddException(() => Status(429, TimeSpan.FromSeconds(1))),
                    Randomizer = () => random.NextDouble(),
                });
                chaos.AddChaosFault(new ChaosFaultStrategyOptions
                {
                    InjectionRate = 0.20,
                    FaultGenerator = new FaultGenerator()
                        .AddException(() => Status(503))
                        .AddException(() => Status(500))
                        .AddException(() => new IOException("connection reset")),
                    Randomizer = () => random.NextDouble(),
                });
                chaos.AddChaosLatency(new Polly.Simmy.Latency.ChaosLatencyStrategyOptions
                {
                    InjectionRate = 0.05,
                    Latency = TimeSpan.FromSeconds(30), // past the 10 s attempt timeout
                    Randomizer = () => random.NextDouble(),
                });
            }

            var metered = new CostMeteringChatClient(new ChaosChatClient(provider, chaos.Build()), calculator, ledger, timeProvider: time);
            options.Deployments.Add(new ModelDeployment { Name = $"d{i}", ModelId = model, Client = metered });
        }

        // With hedging, a second deployment races any attempt still silent after 3 s (the injected 30 s latency).
        options.Groups.Add(new ModelGroup { Name = "chat", Deployments = ["d0", "d1", "d2", "d3"], Fallbacks = ["backup"], HedgeAfter = hedging ? TimeSpan.FromSeconds(3) : null });
        options.Groups.Add(new ModelGroup { Name = "backup", Deployments = ["d4"] });
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, timeProvider: time);

        int succeeded = 0, failedRouting = 0, failedMidStream = 0, attempts = 0, streams = 0, hedged = 0, lost = 0;
        var outcomes = new Dictionary<string, int>();
        for (var n = 0; n < Requests; n++)
        {
            if (n % 1_000 == 500)
            {
                Volatile.Write(ref burst, 100);
            }

            if (burst > 0)
            {
                burst--;
            }

            var prompt = n % 997 == 0 ? $"q{n} break-mid-stream" : $"q{n}";
            var streaming = n % 4 == 0;
            // The request's info is created here so that its routing record is readable whatever the outcome.
            var info = new LlmOpsInfo();
            var outcomeSucceeded = false;
            var midStream = false;
            var request = new ChatOptions { ModelId = "chat" }.WithProperty(LlmOpsChatOptionsExtensions.InfoKey, info);
            try
            {
                if (streaming)
                {
                    streams++;
                    var updates = await Drive(time, client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, prompt)], request).ToListAsync().AsTask());
                    var models = updates.Where(u => u.Text.Length > 0).Select(u => u.ModelId).Distinct().ToList();
                    Assert.True(models.Count == 1, $"Request {n} streamed text from {models.Count} deployments.");
                    Assert.Equal($"answer from {models[0]}", string.Concat(updates.Select(u => u.Text))); // one whole answer, never repeated
                }
                else
                {
                    var response = await Drive(time, client.GetResponseAsync([new ChatMessage(ChatRole.User, prompt)], request));
                    Assert.StartsWith("answer from", response.Text, StringComparison.Ordinal);
                }

                succeeded++;
                outcomeSucceeded = true;
            }
            catch (ModelRoutingException ex)
            {
                failedRouting++;
                Assert.NotNull(ex.InnerException);
            }
            catch (IOException) when (prompt.Contains("break-mid-stream", StringComparison.Ordinal) && streaming)
            {
                // Documented: after the first chunk a fault surfaces as is. The attempts are the ones the stream made.
                failedMidStream++;
                midStream = true;
            }

            var routing = info.Get<RoutingInfo>()!;
            attempts += routing.AttemptCount;
            hedged += routing.Attempts.Count(static a => a.Hedged);
            lost += routing.Attempts.Count(static a => a.Reason == "lost the hedging race");
            // Answered once: exactly one attempt's answer was kept (an answer discarded before it reached the caller,
            // such as a first chunk that lost the race with the first-token timeout, is a failed attempt).
            var kept = routing.Attempts.Count(a => a.Result == RoutingAttemptResult.Succeeded);
            Assert.True(kept == (outcomeSucceeded || midStream ? 1 : 0), $"Request {n} kept {kept} answers.");
        }

        var records = ledger.TotalRecorded; // every record, not only the recent window the ledger keeps
        output.WriteLine($"requests {Requests}: succeeded {succeeded}, ModelRoutingException {failedRouting}, mid-stream IOException {failedMidStream}; streams {streams}");
        output.WriteLine($"provider attempts {attempts}, ledger records {records}; d0 circuit {client.GetCircuitState("d0")}; hedged attempts {hedged}, race losers {lost}");
        Assert.Equal(Requests, succeeded + failedRouting + failedMidStream);
        Assert.True(succeeded > Requests * 0.95, $"Only {succeeded} requests succeeded.");
        Assert.Equal(0, scripted[0].CallCount); // hard down: the chaos answers before the provider
        Assert.Equal((long)attempts, records); // one ledger record per provider attempt, whatever its outcome
        Assert.True(hedging ? hedged > 0 && lost > 0 : hedged == 0, $"hedged attempts {hedged}, race losers {lost}");
    }

    private static async Task<T> Drive<T>(FakeTimeProvider time, Task<T> task)
    {
        // Steps of 100 ms of fake time, each after the work it released has had a chance to run; bounded at ten minutes.
        for (var i = 0; i < 6_000 && !task.IsCompleted; i++)
        {
            for (var k = 0; k < 32 && !task.IsCompleted; k++)
            {
                // Through the pool's global queue, behind work already queued there: a continuation that a cancellation
                // or timer sent to the pool runs before the clock moves on. (Task.Yield can re-queue this loop on its
                // worker's local queue ahead of such work, and the clock then ran minutes ahead of a starved request.)
                await Task.Factory.StartNew(static () => { }, CancellationToken.None, TaskCreationOptions.PreferFairness, TaskScheduler.Default).ConfigureAwait(false);
            }

            if (!task.IsCompleted)
            {
                time.Advance(TimeSpan.FromMilliseconds(100));
            }
        }

        return await task.WaitAsync(TimeSpan.FromSeconds(180)); // real time: only a hang reaches this
    }
}
