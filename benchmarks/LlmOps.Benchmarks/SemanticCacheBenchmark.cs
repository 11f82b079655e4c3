using BenchmarkDotNet.Attributes;
using LlmOps.Caching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace LlmOps.Benchmarks;

/// <summary>
/// The cache's hot paths against Microsoft.Extensions.AI's <see cref="DistributedCachingChatClient"/> over
/// <see cref="MemoryDistributedCache"/>: an exact hit on the same request, a semantic lookup over 1k and 10k entries in
/// one partition (query embedding excluded: the generator returns a precomputed vector), and the miss path.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class SemanticCacheBenchmark
{
    private const int Dimensions = 384;

    private readonly List<ChatMessage> _messages =
    [
        new(ChatRole.System, "You are a helpful support assistant for Contoso. Answer in one short paragraph."),
        new(ChatRole.User, "How do I reset my password on the Contoso portal?"),
    ];

    private readonly ChatOptions _options = new() { ModelId = "gpt-4o-mini", Temperature = 0.2f, MaxOutputTokens = 256 };
    private ChatOptions _pipelineOptions = null!;
    private DistributedCachingChatClient _meai = null!;
    private SemanticCachingChatClient _exact = null!;
    private IChatClient _useSemanticCache = null!;
    private SemanticCachingChatClient _semantic1k = null!;
    private SemanticCachingChatClient _semantic10k = null!;
    private SemanticCachingChatClient _missExactOnly = null!;
    private SemanticCachingChatClient _missSemantic = null!;
    private IChatClient _innerOnly = null!;
    private ChatOptions[] _missOptions = null!;
    private int _miss;

    [GlobalSetup]
    public void Setup()
    {
        var inner = new FixedChatClient();
        _innerOnly = inner;
        var cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        _meai = new DistributedCachingChatClient(inner, cache);
        _exact = new SemanticCachingChatClient(inner, options: new SemanticCacheOptions { EnableSemanticTier = false });

        // Issue 16's row: the public entry point alone, as a user writes it (no DI: in-memory store, exact tier).
        _useSemanticCache = new ChatClientBuilder(inner).UseSemanticCache().Build();

        // In the pipeline the telemetry stage creates the per-request info; this measures the cache stage alone.
        _pipelineOptions = LlmOpsRequest.Join(_options).Options!;

        _semantic1k = BuildSemantic(inner, 1_000);
        _semantic10k = BuildSemantic(inner, 10_000);

        _missExactOnly = new SemanticCachingChatClient(inner, options: new SemanticCacheOptions { EnableSemanticTier = false, MaxEntries = 1_000 });
        _missSemantic = new SemanticCachingChatClient(inner, embeddingGenerator: new FixedEmbeddingGenerator(RandomUnit(new Random(7))), options: new SemanticCacheOptions { MaxEntries = 1_000 });

        // Each miss uses a scope of its own, so its key is new; the semantic partition is empty (the search over N
        // entries is what the lookup benchmarks measure).
        _missOptions = new ChatOptions[1 << 16];
        for (var i = 0; i < _missOptions.Length; i++)
        {
            _missOptions[i] = LlmOpsRequest.Join(_options.WithScope("tenant", "user-" + i)).Options!;
        }

        // Warm every cache with the request.
        _meai.GetResponseAsync(_messages, _options).GetAwaiter().GetResult();
        _exact.GetResponseAsync(_messages, _options).GetAwaiter().GetResult();
        _useSemanticCache.GetResponseAsync(_messages, _options).GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "MEAI DistributedCachingChatClient exact hit")]
    public Task<ChatResponse> MeaiExactHit() => _meai.GetResponseAsync(_messages, _options);

    [Benchmark(Description = "LlmOps exact hit through UseSemanticCache() alone")]
    public Task<ChatResponse> UseSemanticCacheExactHit() => _useSemanticCache.GetResponseAsync(_messages, _options);

    [Benchmark(Description = "LlmOps exact hit (standalone: creates the request info)")]
    public Task<ChatResponse> LlmOpsExactHit() => _exact.GetResponseAsync(_messages, _options);

    [Benchmark(Description = "LlmOps exact hit (in pipeline: info already created)")]
    public Task<ChatResponse> LlmOpsExactHitInPipeline() => _exact.GetResponseAsync(_messages, _pipelineOptions);

    [Benchmark(Description = "LlmOps key only (canonical form + hash)")]
    public SemanticCacheKey KeyOnly() => CacheRequestKeys.Compute(_messages, _options, LlmOpsScope.Global, _options.ModelId, null, 1).Exact;

    [Benchmark(Description = "LlmOps guard fingerprint of the question")]
    public SemanticCacheFingerprint FingerprintOnly() => SemanticCacheFingerprint.Create("How do I reset my password on the Contoso portal?");

    [Benchmark(Description = "LlmOps semantic lookup + hit, 1k entries")]
    public Task<ChatResponse> SemanticHit1k() => _semantic1k.GetResponseAsync(_messages, _pipelineOptions);

    [Benchmark(Description = "LlmOps semantic lookup + hit, 10k entries")]
    public Task<ChatResponse> SemanticHit10k() => _semantic10k.GetResponseAsync(_messages, _pipelineOptions);

    [Benchmark(Description = "Inner client alone (miss baseline)")]
    public Task<ChatResponse> InnerOnly() => _innerOnly.GetResponseAsync(_messages, _missOptions[NextMiss()]);

    [Benchmark(Description = "LlmOps miss, exact tier only (key, lookup, single-flight, write)")]
    public Task<ChatResponse> MissExactOnly() => _missExactOnly.GetResponseAsync(_messages, _missOptions[NextMiss()]);

    [Benchmark(Description = "LlmOps miss, both tiers (embedding precomputed)")]
    public Task<ChatResponse> MissSemantic() => _missSemantic.GetResponseAsync(_messages, _missOptions[NextMiss()]);

    private int NextMiss() => _miss++ & (_missOptions.Length - 1);

    private SemanticCachingChatClient BuildSemantic(IChatClient inner, int entries)
    {
        var random = new Random(42);
        var store = new InMemorySemanticCacheStore(entries + 10);
        var query = RandomUnit(random);
        var keys = CacheRequestKeys.Compute(_messages, _options, LlmOpsScope.Global, _options.ModelId, null, 1);
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "Open Settings, choose Security, then Reset password.")) { FinishReason = ChatFinishReason.Stop };
        for (var i = 0; i < entries; i++)
        {
            // One entry is a close paraphrase of the query; the rest are random directions in the same partition.
            var vector = i == entries / 2 ? Nudge(query, random) : RandomUnit(random);
            store.SetAsync(new SemanticCacheEntry
            {
                Key = new SemanticCacheKey((UInt128)i + 1),
                Partition = keys.Partition,
                Response = response,
                Embedding = vector,
                Fingerprint = SemanticCacheFingerprint.Create("How can I reset my password on the Contoso portal?"),
                CreatedAt = DateTimeOffset.UtcNow,
                ScopeHash = SemanticCacheInvalidation.ScopeHashOf(LlmOpsScope.Global),
                TenantHash = SemanticCacheInvalidation.TenantHashOf(null),
                ModelId = _options.ModelId,
            }).GetAwaiter().GetResult();
        }

        var client = new SemanticCachingChatClient(inner, store, new FixedEmbeddingGenerator(query), new SemanticCacheOptions { TimeToLive = null });
        client.GetResponseAsync(_messages, _pipelineOptions).GetAwaiter().GetResult();
        var check = _pipelineOptions.GetLlmOpsInfo()?.Get<SemanticCacheResult>();
        if (check?.Tier != SemanticCacheTier.Semantic)
        {
            throw new InvalidOperationException("The semantic benchmark setup did not produce a semantic hit: " + check);
        }

        return client;
    }

    private static float[] RandomUnit(Random random)
    {
        var v = new float[Dimensions];
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = (float)(random.NextDouble() - 0.5);
        }

        var norm = System.Numerics.Tensors.TensorPrimitives.Norm(v);
        System.Numerics.Tensors.TensorPrimitives.Divide(v, norm, v);
        return v;
    }

    private static float[] Nudge(float[] query, Random random)
    {
        var noise = RandomUnit(random);
        var v = new float[Dimensions];
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = query[i] + (0.2f * noise[i]);
        }

        var norm = System.Numerics.Tensors.TensorPrimitives.Norm(v);
        System.Numerics.Tensors.TensorPrimitives.Divide(v, norm, v);
        return v;
    }

    private sealed class FixedChatClient : IChatClient
    {
        private readonly ChatResponse _response = new(new ChatMessage(ChatRole.Assistant, "Open Settings, choose Security, then Reset password."))
        {
            ModelId = "gpt-4o-mini",
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 40, OutputTokenCount = 12, TotalTokenCount = 52 },
        };

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => Task.FromResult(_response);

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => _response.ToChatResponseUpdates().ToAsyncEnumerable();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    private sealed class FixedEmbeddingGenerator(float[] vector) : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly GeneratedEmbeddings<Embedding<float>> _result = [new Embedding<float>(vector)];

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
            => Task.FromResult(_result);

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
