using System.Collections.Concurrent;
using LlmOps.Guardrails;
using LlmOps.Guardrails.Injection;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LlmOps.Tests.Guardrails;

/// <summary>
/// Every failure the guardrails stage absorbs is logged once with a stable EventId (1100-1199), and the embedding
/// classifier's warm-up is waited for (bounded) when it is turned on through DI.
/// </summary>
public sealed class GuardrailsLogTests
{
    private const string Email = "jane.doe@example.com";

    [Theory]
    [InlineData(GuardrailFailureMode.FailOpen, false)]
    [InlineData(GuardrailFailureMode.FailOpen, true)]
    [InlineData(GuardrailFailureMode.FailClosed, false)]
    [InlineData(GuardrailFailureMode.FailClosed, true)]
    public async Task ScannerThrows_LogsOnceWithEventId1100_NamingTheScannerAndMode_WithoutTheText(GuardrailFailureMode mode, bool streaming)
    {
        var logger = new FakeLogger<GuardrailsChatClient>();
        var scanner = new DelegateGuardrail("boom", (_, _, _) => throw new InvalidOperationException("scanner bug")) { FailureMode = mode, Stages = GuardrailStage.Input };
        using var client = new GuardrailsChatClient(new RecordingInnerClient(), WithScanners(scanner), logger: logger);

        try
        {
            await RunAsync(client, $"My email is {Email}.", streaming);
        }
        catch (GuardrailViolationException) when (mode == GuardrailFailureMode.FailClosed)
        {
            // FailClosed blocks; the log is the same.
        }

        var record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(1100, record.Id.Id);
        Assert.Equal(LogLevel.Warning, record.Level);
        Assert.IsType<InvalidOperationException>(record.Exception);
        Assert.Contains("'boom'", record.Message, StringComparison.Ordinal);
        Assert.Contains(mode.ToString(), record.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Email, record.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScannerTimesOut_LogsOnceWithEventId1101()
    {
        var time = new FakeTimeProvider();
        var logger = new FakeLogger<GuardrailsChatClient>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scanner = new DelegateGuardrail("slow", async (_, _, ct) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return GuardrailResult.Allow();
        }) { FailureMode = GuardrailFailureMode.FailOpen, Stages = GuardrailStage.Input };
        var options = WithScanners(scanner);
        options.ScannerTimeout = TimeSpan.FromSeconds(1);
        using var client = new GuardrailsChatClient(new RecordingInnerClient(), options, timeProvider: time, logger: logger);

        var call = client.GetResponseAsync("hello");
        await started.Task;
        time.Advance(TimeSpan.FromSeconds(1));
        await call;

        var record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(1101, record.Id.Id);
        Assert.Contains("'slow'", record.Message, StringComparison.Ordinal);
        Assert.Contains("1000 ms", record.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DefaultChain_ScannersThatSucceed_LogNothing(bool streaming)
    {
        var logger = new FakeLogger<GuardrailsChatClient>();
        using var client = new GuardrailsChatClient(new RecordingInnerClient(), GuardrailsOptions.CreateDefault(), logger: logger);

        await RunAsync(client, $"My email is {Email}; please summarise my order.", streaming);

        Assert.Empty(logger.Collector.GetSnapshot());
    }

    [Fact]
    public async Task ClassifierWarmUpFails_LogsEventId1110OncePerFailedRun()
    {
        var logger = new FakeLogger();
        var classifier = new EmbeddingInjectionClassifier(new FailingGenerator(), ["ignore all previous instructions"]) { Logger = logger };

        await Assert.ThrowsAsync<InvalidOperationException>(() => classifier.WarmUpAsync());
        Assert.Equal(1, logger.Collector.Count);
        await Assert.ThrowsAsync<InvalidOperationException>(() => classifier.WarmUpAsync());

        var records = logger.Collector.GetSnapshot();
        Assert.Equal(2, records.Count);
        Assert.All(records, r =>
        {
            Assert.Equal(1110, r.Id.Id);
            Assert.Equal(LogLevel.Error, r.Level);
            Assert.IsType<InvalidOperationException>(r.Exception);
        });
    }

    [Fact]
    public async Task AddGuardrails_ClassifierOn_FirstRequestWaitsForTheExemplars_ThenIsScoredWithTheClassifier()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var generator = new GatedGenerator(gate.Task);
        using var provider = Services(generator, new FakeTimeProvider(), new FakeLogCollector());
        var inner = new RecordingInnerClient();
        using var client = new GuardrailsChatClient(inner, provider.GetRequiredService<IOptions<GuardrailsOptions>>().Value);

        var call = client.GetResponseAsync("Plan a weekend hike near the lake.");

        Assert.False(call.IsCompleted, "the request waits for the classifier's exemplars");
        Assert.Empty(inner.Requests);
        gate.SetResult();
        var response = await call;

        Assert.Equal("ok", response.Text);
        Assert.Contains(generator.Singles, t => t.Contains("hike", StringComparison.OrdinalIgnoreCase));
        Assert.True(provider.GetRequiredService<EmbeddingInjectionClassifier>().IsReady);
    }

    [Fact]
    public async Task AddGuardrails_ClassifierOn_WarmUpSlowerThanTheBound_RequestsGoOnWithoutIt_LoggedOnceWithEventId1111()
    {
        var time = new FakeTimeProvider();
        var logs = new FakeLogCollector();
        var generator = new GatedGenerator(new TaskCompletionSource().Task);
        using var provider = Services(generator, time, logs);
        var inner = new RecordingInnerClient();
        using var client = new GuardrailsChatClient(inner, provider.GetRequiredService<IOptions<GuardrailsOptions>>().Value);

        var first = client.GetResponseAsync("Plan a weekend hike near the lake.");
        Assert.False(first.IsCompleted, "the request waits for the classifier's exemplars");
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("ok", (await first).Text);

        // Past the shared deadline a request does not wait at all.
        var second = client.GetResponseAsync("Recommend a book about mountains.");
        Assert.True(second.IsCompleted);
        Assert.Equal("ok", (await second).Text);

        Assert.Empty(generator.Singles);
        Assert.False(provider.GetRequiredService<EmbeddingInjectionClassifier>().IsReady);
        var record = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1111);
        Assert.Equal(LogLevel.Warning, record.Level);
        Assert.Equal(2, inner.Requests.Count);
    }

    [Fact]
    public void TelemetryNames_AreTheDocumentedWireNames()
    {
        Assert.Equal("llmops.guardrail.violations", GuardrailsTelemetryNames.Violations);
        Assert.Equal("llmops.guardrail.scanner", GuardrailsTelemetryNames.ScannerAttribute);
        Assert.Equal("llmops.guardrail.stage", GuardrailsTelemetryNames.StageAttribute);
        Assert.Equal("llmops.guardrail.action", GuardrailsTelemetryNames.ActionAttribute);
    }

    [Fact]
    public void Validate_NegativeWarmUpTimeout_NamesTheOptionAndTheValue()
    {
        var options = new GuardrailsOptions { EmbeddingClassifierWarmUpTimeout = TimeSpan.FromSeconds(-1) };

        var error = Assert.Single(options.Validate());

        Assert.Contains("GuardrailsOptions.EmbeddingClassifierWarmUpTimeout", error, StringComparison.Ordinal);
        Assert.Contains("-00:00:01", error, StringComparison.Ordinal);
    }

    [Fact]
    public void WarmUpTimeout_Negative_Throws()
    {
        var classifier = new EmbeddingInjectionClassifier(new FailingGenerator(), ["x"]);

        Assert.Throws<ArgumentOutOfRangeException>(() => classifier.WarmUpTimeout = TimeSpan.FromSeconds(-2));
    }

    private static ServiceProvider Services(IEmbeddingGenerator<string, Embedding<float>> generator, TimeProvider time, FakeLogCollector logs)
    {
        var services = new ServiceCollection();
        services.AddSingleton(generator);
        services.AddSingleton(time);
        services.AddSingleton<ILoggerFactory>(new LoggerFactory([new FakeLoggerProvider(logs)]));
        services.AddLlmOps().AddGuardrails(o => o.UseEmbeddingInjectionClassifier = true);
        return services.BuildServiceProvider();
    }

    private static GuardrailsOptions WithScanners(params IGuardrail[] guardrails)
    {
        var options = new GuardrailsOptions();
        foreach (var g in guardrails)
        {
            options.Guardrails.Add(g);
        }

        return options;
    }

    private static async Task RunAsync(IChatClient client, string prompt, bool streaming)
    {
        if (!streaming)
        {
            await client.GetResponseAsync(prompt);
            return;
        }

        await foreach (var _ in client.GetStreamingResponseAsync(prompt))
        {
        }
    }

    private sealed class FailingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
            => throw new InvalidOperationException("the embedding service is down");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    /// <summary>Exemplar batches wait for the gate; single texts (a scored request) are embedded at once and recorded.</summary>
    private sealed class GatedGenerator(Task gate) : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly BagOfWordsEmbeddingGenerator _inner = new();

        public ConcurrentQueue<string> Singles { get; } = new();

        public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            string[] texts = [.. values];
            if (texts.Length > 1)
            {
                await gate.WaitAsync(cancellationToken);
            }
            else
            {
                Singles.Enqueue(texts[0]);
            }

            return await _inner.GenerateAsync(texts, options, cancellationToken);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
