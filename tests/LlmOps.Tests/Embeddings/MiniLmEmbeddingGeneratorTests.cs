using System.Numerics.Tensors;
using LlmOps.Embeddings.MiniLM;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmOps.Tests.Embeddings;

public sealed class MiniLmEmbeddingGeneratorTests
{
    private static readonly Lazy<MiniLmEmbeddingGenerator> s_shared = new(static () => new MiniLmEmbeddingGenerator());

    private static MiniLmEmbeddingGenerator Shared => s_shared.Value;

    [Fact]
    public void Metadata_ReportsModelIdAndDimensions()
    {
        var metadata = Shared.GetService<EmbeddingGeneratorMetadata>();

        Assert.NotNull(metadata);
        Assert.Equal("all-MiniLM-L6-v2", metadata.DefaultModelId);
        Assert.Equal(384, metadata.DefaultModelDimensions);
        Assert.Equal("LlmOps.Embeddings.MiniLM", metadata.ProviderName);
    }

    [Fact]
    public async Task GenerateAsync_Sentences_NormalisedAndMeaningful()
    {
        var result = await Shared.GenerateAsync(["turn on dark mode", "turn off dark mode", "enable dark theme", "What is the capital of France?"]);

        Assert.Equal(4, result.Count);
        Assert.All(result, e =>
        {
            Assert.Equal(384, e.Vector.Length);
            Assert.Equal("all-MiniLM-L6-v2", e.ModelId);
            Assert.InRange(TensorPrimitives.Norm(e.Vector.Span), 0.999f, 1.001f);
        });
        var onOff = TensorPrimitives.Dot(result[0].Vector.Span, result[1].Vector.Span);
        var onEnable = TensorPrimitives.Dot(result[0].Vector.Span, result[2].Vector.Span);
        var unrelated = TensorPrimitives.Dot(result[0].Vector.Span, result[3].Vector.Span);
        Assert.InRange(onOff, 0.93f, 0.97f); // the measured 0.95 from the issue
        Assert.InRange(onEnable, 0.69f, 0.73f); // the measured 0.71
        Assert.True(unrelated < 0.3f);
    }

    [Fact]
    public async Task GenerateAsync_MoreInputsThanBatchSize_SameVectorsInOrder()
    {
        using var generator = new MiniLmEmbeddingGenerator(new MiniLmEmbeddingGeneratorOptions { MaxBatchSize = 3 });
        var inputs = Enumerable.Range(0, 8).Select(i => $"sentence number {i} about topic {i * 7}").ToArray();

        var batched = await generator.GenerateAsync(inputs);
        var single = await Shared.GenerateAsync([inputs[6]]);

        Assert.Equal(8, batched.Count);
        Assert.True(TensorPrimitives.Dot(batched[6].Vector.Span, single[0].Vector.Span) > 0.9999f);
        Assert.True(TensorPrimitives.Dot(batched[5].Vector.Span, single[0].Vector.Span) < 0.9999f);
    }

    [Fact]
    public async Task GenerateAsync_ConcurrentCallers_ConsistentResults()
    {
        var expected = (await Shared.GenerateAsync(["thread safety check"]))[0].Vector.ToArray();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Shared.GenerateAsync(["thread safety check"]))));

        Assert.All(results, r => Assert.Equal(expected, r[0].Vector.ToArray()));
    }

    [Fact]
    public async Task GenerateAsync_Empty_ReturnsEmpty() => Assert.Empty(await Shared.GenerateAsync([]));

    [Fact]
    public async Task GenerateAsync_BadArguments_SpecificExceptions()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => Shared.GenerateAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Shared.GenerateAsync(["ok", null!]));
        var ex = await Assert.ThrowsAsync<NotSupportedException>(() => Shared.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 768 }));
        Assert.Contains("384", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_Cancelled_Throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Shared.GenerateAsync(["x"], cancellationToken: cts.Token));
    }

    [Fact]
    public async Task GenerateAsync_Disposed_Throws()
    {
        var generator = new MiniLmEmbeddingGenerator();
        generator.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => generator.GenerateAsync(["x"]));
    }

    [Fact]
    public void Ctor_BadBatchSize_ThrowsNamingOption()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new MiniLmEmbeddingGenerator(new MiniLmEmbeddingGeneratorOptions { MaxBatchSize = 0 }));
        Assert.Contains("MaxBatchSize", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 0, "MaxBatchSize")]
    [InlineData(5000, 0, "MaxBatchSize")]
    [InlineData(8, -1, "IntraOpThreads")]
    public async Task AddMiniLmEmbeddingGenerator_InvalidOptions_FailAtStartupNamingTheOption(int batch, int threads, string option)
    {
        var services = new ServiceCollection();
        services.AddMiniLmEmbeddingGenerator(o =>
        {
            o.MaxBatchSize = batch;
            o.IntraOpThreads = threads;
        });
        using var provider = services.BuildServiceProvider();

        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(
            () => provider.GetRequiredService<Microsoft.Extensions.Options.IAsyncStartupValidator>().ValidateAsync());
        Assert.Contains($"MiniLmEmbeddingGeneratorOptions.{option}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMiniLmEmbeddingGenerator_RegistersOneSingletonAsInterface()
    {
        var services = new ServiceCollection();
        services.AddMiniLmEmbeddingGenerator(o => o.MaxBatchSize = 8);
        services.AddMiniLmEmbeddingGenerator();
        using var provider = services.BuildServiceProvider();

        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        Assert.Same(provider.GetRequiredService<MiniLmEmbeddingGenerator>(), generator);
        Assert.Single(services, d => d.ServiceType == typeof(MiniLmEmbeddingGenerator));
    }
}
