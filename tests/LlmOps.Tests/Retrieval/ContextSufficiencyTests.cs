using LlmOps.Retrieval;
using LlmOps.Tests.Guardrails;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;

namespace LlmOps.Tests.Retrieval;

public sealed class ContextSufficiencyTests
{
    // "warranty" is in one text of six, "policy" in all six: a source holding the rare term holds most of the question.
    private static readonly RetrievalDocument[] Corpus =
    [
        new("warranty", "The warranty policy covers defects for two years."),
        new("returns", "The returns policy allows thirty days."),
        new("privacy", "The privacy policy explains data use."),
        new("shipping", "The shipping policy lists carriers."),
        new("pricing", "The pricing policy sets discounts."),
        new("conduct", "The conduct policy sets rules for staff."),
    ];

    private static async Task<DocumentIndex> IndexAsync(WordEmbeddingGenerator? generator = null)
    {
        var index = new DocumentIndex(embeddingGenerator: generator);
        await index.IngestAsync(Corpus);
        return index;
    }

    private static DocumentChunk Chunk(DocumentIndex index, string id) => index.GetChunks(id, null)[0];

    private static Task<ContextSufficiency.Features?> MeasureAsync(ContextSufficiency sufficiency, string question, params DocumentChunk[] chunks)
        => sufficiency.MeasureAsync(question, chunks, [.. chunks.Select(c => c.GetAnalysis(GroundednessScorer.Default))], null, CancellationToken.None).AsTask();

    [Fact]
    public async Task MeasureAsync_SourceWithTheRareTerm_CoversMostOfTheQuestion()
    {
        using var index = await IndexAsync();
        var sufficiency = new ContextSufficiency(GroundednessScorer.Default, index, NullLogger.Instance);

        var rare = await MeasureAsync(sufficiency, "warranty policy", Chunk(index, "warranty"));
        var common = await MeasureAsync(sufficiency, "warranty policy", Chunk(index, "returns"));

        // Uniform weights would give both 0.5 (one of two terms); IDF: ln(1 + 5.5/1.5) = 1.540 vs ln(1 + 0.5/6.5) = 0.074.
        Assert.Equal(1.0, rare!.Value.Coverage, 6);
        Assert.Equal(0.074108 / (1.540445 + 0.074108), common!.Value.Coverage, 4);
        Assert.Null(rare.Value.Cosine);
    }

    [Fact]
    public async Task MeasureAsync_WithoutAnIndex_WeighsEveryTermTheSame()
    {
        using var index = await IndexAsync();
        var sufficiency = new ContextSufficiency(GroundednessScorer.Default, null, NullLogger.Instance);

        var common = await MeasureAsync(sufficiency, "warranty policy", Chunk(index, "returns"));

        Assert.Equal(0.5, common!.Value.Coverage, 6);
    }

    [Fact]
    public async Task MeasureAsync_NoSourceOrNoContentTerm_IsNull()
    {
        using var index = await IndexAsync();
        var sufficiency = new ContextSufficiency(GroundednessScorer.Default, index, NullLogger.Instance);

        Assert.Null(await MeasureAsync(sufficiency, "warranty policy"));
        Assert.Null(await MeasureAsync(sufficiency, "what is it?", Chunk(index, "warranty")));
    }

    [Fact]
    public async Task MeasureAsync_IndexWithEmbeddings_AddsTheStoredChunksCosineAndPicksTheBestSource()
    {
        var generator = new WordEmbeddingGenerator();
        using var index = await IndexAsync(generator);
        var sufficiency = new ContextSufficiency(GroundednessScorer.Default, index, NullLogger.Instance);
        const string Question = "Which warranty policy covers defects?";

        var features = await MeasureAsync(sufficiency, Question, Chunk(index, "returns"), Chunk(index, "warranty"));

        var warranty = Chunk(index, "warranty");
        var expected = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(WordEmbeddingGenerator.Embed(Question), WordEmbeddingGenerator.Embed(warranty.IndexText));
        Assert.Equal(expected, features!.Value.Cosine!.Value, 5);
        Assert.Equal(1.0, features.Value.Coverage, 6);
        Assert.Equal((1.0 + expected) / 2, features.Value.Combined, 5);
        Assert.Equal(1 / (1 + Math.Exp(-(ContextSufficiency.DenseIntercept + (ContextSufficiency.DenseSlope * features.Value.Combined)))), features.Value.Score, 9);
    }

    [Fact]
    public async Task MeasureAsync_EmbeddingFails_FallsBackToTheLexicalCurveAndLogs()
    {
        var generator = new WordEmbeddingGenerator();
        using var index = await IndexAsync(generator);
        generator.FailOnCall = _ => new InvalidOperationException("model gone");
        var logger = new FakeLogger();
        var sufficiency = new ContextSufficiency(GroundednessScorer.Default, index, logger);

        var features = await MeasureAsync(sufficiency, "warranty policy", Chunk(index, "warranty"));

        Assert.Null(features!.Value.Cosine);
        Assert.Equal(1 / (1 + Math.Exp(-(ContextSufficiency.LexicalIntercept + ContextSufficiency.LexicalSlope))), features.Value.Score, 9);
        var record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(1651, record.Id.Id);
    }

    [Fact]
    public async Task MeasureAsync_Cancelled_Throws()
    {
        var generator = new WordEmbeddingGenerator();
        using var index = await IndexAsync(generator);
        var sufficiency = new ContextSufficiency(GroundednessScorer.Default, index, NullLogger.Instance);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            sufficiency.MeasureAsync("new question", [Chunk(index, "warranty")], [GroundednessScorer.Default.Analyze("x", null)], null, cts.Token).AsTask());
    }

    [Fact]
    public async Task GroundingChatClient_AfterHybridRetrieval_DoesNotEmbedTheQuestionAgain()
    {
        var generator = new WordEmbeddingGenerator();
        using var index = await IndexAsync(generator);
        var embeddedBefore = generator.Batches.Count;
        using var client = new GroundingChatClient(new RecordingInnerClient(), new HybridRetriever(index));

        var response = await client.GetResponseAsync("Which warranty policy covers defects?");

        Assert.Equal(embeddedBefore + 1, generator.Batches.Count);
        Assert.NotNull(response.GetGrounding()!.SufficiencyFeatures!.Value.Cosine);
    }

    [Theory]
    [InlineData("How long does the warranty cover defects?", false)]
    [InlineData("Do staff have rules of conduct?", false)]
    [InlineData("What is the policy on volcano insurance claims?", true)]
    [InlineData("What is the warranty policy for volcano damage?", true)] // half the terms, but not the rare ones
    public async Task GroundingChatClient_DefaultThreshold_RefusesWhenOnlyCommonWordsMatch(string question, bool refused)
    {
        using var index = await IndexAsync();
        using var client = new GroundingChatClient(new RecordingInnerClient(), new Bm25Retriever(index));

        var response = await client.GetResponseAsync(question);

        Assert.Equal(refused, response.GetGrounding()!.Refused);
    }
}
