using BenchmarkDotNet.Attributes;
using LlmOps.Routing;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;

namespace LlmOps.Benchmarks;

/// <summary>
/// Overhead of <see cref="ModelRoutingChatClient"/> on the happy path (one deployment, no retry, no policy), and the
/// <see cref="ComplexityScorer"/> on a 2 KB request. Targets: routing ≤ 1 µs and ≤ 256 B beyond the inner call; the
/// scorer ≤ 20 µs per 2 KB request.
/// </summary>
/// <remarks>
/// <c>InPipeline</c> passes a request that already carries an <see cref="LlmOpsInfo"/> (as under the telemetry stage) and
/// names the group by the deployment's model id, so the options need no copy. <c>Standalone</c> makes routing create the
/// info and copy the options. <c>NoTimeouts</c> turns the total and attempt timeouts off (two Polly timeout strategies);
/// <c>NoPolly</c> also turns retries off, so no strategy could act and the attempt runs without Polly (the deployment is
/// alone in its groups, so under the last-healthy rule its circuit could never open).
/// </remarks>
[MemoryDiagnoser]
[ShortRunJob]
public class RoutingBenchmark
{
    private static readonly ChatMessage[] Messages = [new(ChatRole.User, "What is the capital of France?")];
    private IChatClient _bare = null!;
    private IChatClient _routed = null!;
    private IChatClient _routedNoTimeouts = null!;
    private IChatClient _routedNoPolly = null!;
    private ChatOptions _options = null!;
    private ChatOptions _standalone = null!;
    private ComplexityScorer _scorer = null!;
    private ChatMessage[] _request2Kb = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bare = new FixedClient();
        var telemetry = new LlmOpsTelemetry();
        _routed = new ModelRoutingChatClient(_bare, Options(timeouts: true, retries: 1), telemetry: telemetry);
        _routedNoTimeouts = new ModelRoutingChatClient(_bare, Options(timeouts: false, retries: 1), telemetry: telemetry);
        _routedNoPolly = new ModelRoutingChatClient(_bare, Options(timeouts: false, retries: 0), telemetry: telemetry);
        _options = new ChatOptions { ModelId = "gpt-4o" };
        _standalone = new ChatOptions { ModelId = "chat" };
        _scorer = new ComplexityScorer();
        var text = string.Concat(Enumerable.Repeat(
            "Please review the following design and explain the trade-offs of the caching layer, then list three risks. ", 20));
        _request2Kb = [new ChatMessage(ChatRole.System, "You are a careful reviewer."), new ChatMessage(ChatRole.User, text[..2048])];
    }

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> Bare() => _bare.GetResponseAsync(Messages, WithInfo());

    [Benchmark]
    public Task<ChatResponse> RoutedInPipeline() => _routed.GetResponseAsync(Messages, WithInfo());

    [Benchmark]
    public Task<ChatResponse> RoutedInPipelineNoTimeouts() => _routedNoTimeouts.GetResponseAsync(Messages, WithInfo());

    [Benchmark]
    public Task<ChatResponse> RoutedInPipelineNoPolly() => _routedNoPolly.GetResponseAsync(Messages, WithInfo());

    [Benchmark]
    public Task<ChatResponse> RoutedStandalone() => _routed.GetResponseAsync(Messages, _standalone);

    [Benchmark]
    public ComplexityScore Scorer2Kb() => _scorer.Score(_request2Kb);

    private static ModelRoutingOptions Options(bool timeouts, int retries)
    {
        var options = new ModelRoutingOptions();
        options.Deployments.Add(new ModelDeployment { Name = "gpt-4o-east", ModelId = "gpt-4o" });
        options.Groups.Add(new ModelGroup { Name = "chat", Deployments = ["gpt-4o-east"] });
        options.Groups.Add(new ModelGroup { Name = "gpt-4o", Deployments = ["gpt-4o-east"] });
        options.Resilience.MaxRetriesPerDeployment = retries;
        if (!timeouts)
        {
            options.Resilience.TotalTimeout = null;
            options.Resilience.AttemptTimeout = null;
            options.Resilience.TimeToFirstTokenTimeout = null;
        }

        return options;
    }

    // An outer stage creates the info once per request; a fresh one per call models that without charging its
    // creation to routing (the baseline pays it too).
    private ChatOptions WithInfo()
    {
        _options.AdditionalProperties = new() { ["llmops.info"] = new LlmOpsInfo() };
        return _options;
    }

    private sealed class FixedClient : IChatClient
    {
        private readonly Task<ChatResponse> _task = Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Paris.")) { ModelId = "gpt-4o" });

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => _task;

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
