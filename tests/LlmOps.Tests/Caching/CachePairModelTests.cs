using LlmOps.Caching;

namespace LlmOps.Tests.Caching;

public sealed class CachePairModelTests
{
    private static bool Passes(string cached, string incoming, float similarity)
        => CachePairModel.Default.Passes(SemanticCacheFingerprint.Create(incoming), SemanticCacheFingerprint.Create(cached), similarity);

    [Theory]
    [InlineData("transfer 50 GBP to JPY", "transfer 50 JPY to GBP", 0.98f)]
    [InlineData("cheapest train from Rome to Milan", "cheapest train from Milan to Rome", 0.99f)]
    [InlineData("is Go safer than C", "is C safer than Go", 0.99f)]
    [InlineData("wake me at 6 am", "wake me at 6 pm", 0.97f)]
    [InlineData("what's the storage quota per project", "what's the storage quota per account", 0.93f)]
    [InlineData("is the floor wet", "is the floor dry", 0.9f)]
    [InlineData("how far is 5 miles in km", "how far is 5 km in miles", 0.98f)]
    public void Passes_NearMissesTheLexicalGuardsMiss_Rejected(string cached, string incoming, float similarity)
        => Assert.False(Passes(cached, incoming, similarity));

    [Theory]
    [InlineData("how do I reset my password", "How can I reset my password?", 0.9f)]
    [InlineData("what's the capital of France", "whats the capital of france", 0.97f)]
    [InlineData("my printer won't print in colour", "my printr wont print in colour", 0.9f)]
    [InlineData("On my Pixel, where do screenshots get saved?", "Where do screenshots get saved on my Pixel?", 0.99f)]
    public void Passes_SameQuestionReworded_Served(string cached, string incoming, float similarity)
        => Assert.True(Passes(cached, incoming, similarity));

    [Fact]
    public void Passes_FingerprintWithoutSequence_Rejected()
    {
        var full = SemanticCacheFingerprint.Create("how do I reset my password");
        var legacy = new SemanticCacheFingerprint(full.Polarity, full.Negated, [.. full.Numbers], [.. full.Quoted], [.. full.Entities], [.. full.Words]);

        Assert.False(CachePairModel.Default.Passes(full, legacy, 1f));
        Assert.True(CachePairModel.Default.Passes(full, full, 1f));
    }

    [Fact]
    public void SaveLoad_RoundTrip_SameScores()
    {
        var features = new float[CachePairFeatures.Count];
        CachePairFeatures.Compute(SemanticCacheFingerprint.Create("quota per project"), SemanticCacheFingerprint.Create("quota per account"), 0.9f, features);
        using var stream = new MemoryStream();
        CachePairModel.Default.Save(stream);
        stream.Position = 0;

        var loaded = CachePairModel.Load(stream);

        Assert.Equal(CachePairModel.Default.Cutoff, loaded.Cutoff);
        Assert.Equal(CachePairModel.Default.Score(features), loaded.Score(features));
    }

    [Fact]
    public void Load_DamagedFile_ThrowsInvalidData()
    {
        using var stream = new MemoryStream();
        CachePairModel.Default.Save(stream);
        var bytes = stream.ToArray();
        bytes[20] ^= 0xFF;

        var ex = Assert.Throws<InvalidDataException>(() => CachePairModel.Load(new MemoryStream(bytes)));
        Assert.Contains("checksum", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => CachePairModel.Load(new MemoryStream("not a model"u8.ToArray())));
    }

    [Fact]
    public void Constructor_WrongWeightCount_Throws()
        => Assert.Throws<ArgumentException>(() => new CachePairModel(new float[3], 0f));
}
