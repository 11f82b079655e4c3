using BenchmarkDotNet.Attributes;
using LlmOps;
using LlmOps.Metering;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;

namespace LlmOps.Benchmarks;

/// <summary>
/// Overhead of <see cref="CostMeteringChatClient"/> on a non-streaming call whose usage the provider reports
/// (target: ≤ 1 µs and ≤ 512 B over the bare client).
/// </summary>
/// <remarks>
/// <c>InPipeline</c> passes a request that already carries an <see cref="LlmOpsInfo"/>, as when the telemetry stage
/// (or any outer stage) runs first; <c>Standalone</c> makes metering create the info and clone the options itself.
/// </remarks>
[MemoryDiagnoser]
[ShortRunJob]
public class CostMeteringBenchmark
{
    private static readonly ChatMessage[] Messages = [new(ChatRole.User, "What is the capital of France?")];
    private IChatClient _bare = null!;
    private IChatClient _metered = null!;
    private IChatClient _meteredWithLedger = null!;
    private ChatOptions _options = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bare = new FixedClient();
        var calculator = new CostCalculator(new ModelCatalog([new ModelDefinition("gpt-4o", ModelTier.Large, new ModelPrice(2.50m, 10m, 1.25m))]));
        var telemetry = new LlmOpsTelemetry();
        _metered = new CostMeteringChatClient(_bare, calculator, telemetry: telemetry);
        _meteredWithLedger = new CostMeteringChatClient(_bare, calculator, new InMemoryCostLedger(), telemetry: telemetry);
        _options = new ChatOptions { ModelId = "gpt-4o" };
    }

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> Bare() => _bare.GetResponseAsync(Messages, _options);

    /// <summary>The bare client given the same request as <see cref="MeteredInPipeline"/> (the info an outer stage made).</summary>
    [Benchmark]
    public Task<ChatResponse> BareWithInfo() => _bare.GetResponseAsync(Messages, WithInfo());

    [Benchmark]
    public Task<ChatResponse> MeteredInPipeline() => _metered.GetResponseAsync(Messages, WithInfo());

    [Benchmark]
    public Task<ChatResponse> MeteredStandalone() => _metered.GetResponseAsync(Messages, _options);

    [Benchmark]
    public Task<ChatResponse> MeteredInPipelineWithLedger() => _meteredWithLedger.GetResponseAsync(Messages, WithInfo());

    // Outer stages create the info once per request; reusing one options instance with a fresh info models that
    // without charging the clone to metering. The request id must be fresh so every ledger write is a new record.
    private ChatOptions WithInfo()
    {
        _options.AdditionalProperties = new() { ["llmops.info"] = new LlmOpsInfo() };
        return _options;
    }

    private sealed class FixedClient : IChatClient
    {
        private readonly ChatResponse _response = new(new ChatMessage(ChatRole.Assistant, "Paris."))
        {
            ModelId = "gpt-4o",
            Usage = new UsageDetails { InputTokenCount = 14, OutputTokenCount = 3 },
        };

        private readonly Task<ChatResponse> _task;

        public FixedClient() => _task = Task.FromResult(_response);

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => _task;

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
