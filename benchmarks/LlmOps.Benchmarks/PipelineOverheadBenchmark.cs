using BenchmarkDotNet.Attributes;
using LlmOps.Caching;
using LlmOps.Metering;
using LlmOps.Retrieval;
using LlmOps.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmOps.Benchmarks;

/// <summary>
/// Issue 16's whole-stack row: what the full <c>UseLlmOps()</c> pipeline costs per request beyond the inner client, built
/// only through the public API (<c>services.AddLlmOps().AddXxx()</c> and <c>AddChatClient(inner).UseLlmOps()</c>), with
/// every stage registered and in pass-through. Goal: ≤ 1 µs and ≤ 512 B beyond the inner call.
/// </summary>
/// <remarks>
/// "Pass-through" per stage: telemetry records its metrics (no listener attached, as in a process that exports
/// nothing); guardrails registered with no scanners (`o.Guardrails.Clear()`); prompts registered, the request names no prompt; grounding with a
/// retriever that finds nothing and <see cref="GroundingOptions.AnswerWhenThin"/> (the model answers, marked ungrounded);
/// the cache registered, the request says <see cref="SemanticCacheMode.Bypass"/>; routing with one deployment that the
/// request names; metering with the model priced, writing one record per call to the default in-memory ledger. The
/// inner client returns a prebuilt response (the baseline).
/// </remarks>
[MemoryDiagnoser]
public class PipelineOverheadBenchmark
{
    private static readonly ChatMessage[] Messages =
    [
        new(ChatRole.System, "You are a helpful support assistant for Contoso."),
        new(ChatRole.User, "How do I reset my password on the Contoso portal?"),
    ];

    private readonly FixedChatClient _inner = new();
    private ChatOptions _options = null!;
    private ChatOptions _bypass = null!;
    private ServiceProvider _telemetryOnly = null!;
    private ServiceProvider _everyStage = null!;
    private IChatClient _telemetryClient = null!;
    private IChatClient _everyStageClient = null!;

    [GlobalSetup]
    public void Setup()
    {
        _options = new ChatOptions { ModelId = "gpt-4o-mini", Temperature = 0.2f, MaxOutputTokens = 256 };
        _bypass = _options.WithCacheMode(SemanticCacheMode.Bypass);

        var telemetryOnly = new ServiceCollection();
        telemetryOnly.AddLlmOps();
        telemetryOnly.AddChatClient(_inner).UseLlmOps();
        _telemetryOnly = telemetryOnly.BuildServiceProvider();
        _telemetryClient = _telemetryOnly.GetRequiredService<IChatClient>();

        var every = new ServiceCollection();
        every.AddLlmOps()
            .AddGuardrails(o => o.Guardrails.Clear())
            .AddPromptRegistry()
            .AddGrounding(o =>
            {
                o.Retriever = new EmptyRetriever();
                o.AnswerWhenThin = true;
            })
            .AddSemanticCache()
            .AddModelRouting(o =>
            {
                o.Deployments.Add(new ModelDeployment { Name = "mini-east", ModelId = "gpt-4o-mini" });
                o.Groups.Add(new ModelGroup { Name = "gpt-4o-mini", Deployments = ["mini-east"] });
            })
            .AddCostMetering(o => o.Models.Add(new ModelDefinition("gpt-4o-mini", ModelTier.Small, new ModelPrice(Input: 0.15m, Output: 0.60m))));
        every.AddChatClient(_inner).UseLlmOps();
        _everyStage = every.BuildServiceProvider();
        _everyStageClient = _everyStage.GetRequiredService<IChatClient>();

        // Check that the pipeline is what the row claims, and warm it.
        var response = _everyStageClient.GetResponseAsync(Messages, _bypass).GetAwaiter().GetResult();
        if (response.GetLlmOpsInfo() is not { } info || info.Get<RoutingInfo>() is null || info.Get<GroundingResult>() is null)
        {
            throw new InvalidOperationException("The whole-stack pipeline did not run every stage.");
        }

        _telemetryClient.GetResponseAsync(Messages, _options).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _telemetryOnly.Dispose();
        _everyStage.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Inner client alone")]
    public Task<ChatResponse> InnerAlone() => _inner.GetResponseAsync(Messages, _bypass);

    [Benchmark(Description = "UseLlmOps(), telemetry only (AddLlmOps())")]
    public Task<ChatResponse> TelemetryOnly() => _telemetryClient.GetResponseAsync(Messages, _options);

    [Benchmark(Description = "UseLlmOps(), every stage registered, pass-through")]
    public Task<ChatResponse> EveryStage() => _everyStageClient.GetResponseAsync(Messages, _bypass);

    [Benchmark(Description = "UseLlmOps(), every stage, streaming (3 chunks)")]
    public async Task<int> EveryStageStreaming()
    {
        var count = 0;
        await foreach (var update in _everyStageClient.GetStreamingResponseAsync(Messages, _bypass).ConfigureAwait(false))
        {
            count += update.Contents.Count;
        }

        return count;
    }

    [Benchmark(Description = "Inner client alone, streaming (3 chunks)")]
    public async Task<int> InnerAloneStreaming()
    {
        var count = 0;
        await foreach (var update in _inner.GetStreamingResponseAsync(Messages, _bypass).ConfigureAwait(false))
        {
            count += update.Contents.Count;
        }

        return count;
    }

    private sealed class EmptyRetriever : IRetriever
    {
        private readonly Task<IReadOnlyList<RetrievedChunk>> _none = Task.FromResult<IReadOnlyList<RetrievedChunk>>([]);

        public Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(RetrievalQuery query, CancellationToken cancellationToken = default) => _none;
    }

    /// <summary>
    /// Answers like a provider: a new response (or three new chunks) per call, since stages attach their facts to the
    /// response they return. The baseline row pays for building it.
    /// </summary>
    private sealed class FixedChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Open Settings, choose Security, then Reset password."))
            {
                ModelId = "gpt-4o-mini",
                FinishReason = ChatFinishReason.Stop,
                Usage = new UsageDetails { InputTokenCount = 40, OutputTokenCount = 12, TotalTokenCount = 52 },
            });

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, "Open Settings, ") { ModelId = "gpt-4o-mini" };
            yield return new ChatResponseUpdate(ChatRole.Assistant, "choose Security, then Reset password.") { ModelId = "gpt-4o-mini" };
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 40, OutputTokenCount = 12, TotalTokenCount = 52 })])
            {
                ModelId = "gpt-4o-mini",
                FinishReason = ChatFinishReason.Stop,
            };
            await Task.CompletedTask.ConfigureAwait(false);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
