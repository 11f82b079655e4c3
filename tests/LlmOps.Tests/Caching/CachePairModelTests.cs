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
    public void Constructor_TreesOfTheWrongShape_Throws()
    {
        Assert.Throws<ArgumentException>(() => new CachePairModel(2, new int[3], new float[3], new float[3], 0f, 0f, SemanticCacheGuards.None));
        Assert.Throws<ArgumentException>(() => new CachePairModel(1, [CachePairFeatures.Count], [0f], [0f, 0f], 0f, 0f, SemanticCacheGuards.None));
        Assert.Throws<ArgumentException>(() => new CachePairModel(1, [CachePairFeatures.Similarity], [float.NaN], [0f, 0f], 0f, 0f, SemanticCacheGuards.None));
        Assert.Throws<ArgumentException>(() => new CachePairModel(1, [CachePairFeatures.Similarity], [0f], [0f, 0f], 0f, 0f, SemanticCacheGuards.PairCheck));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CachePairModel(0, [], [], [], 0f, 0f, SemanticCacheGuards.None));
    }

    [Fact]
    public void Score_Stump_AddsTheLeafOfTheSideTheFeatureFallsOn()
    {
        var model = Stump(baseScore: 0.5f, cutoff: 0f, SemanticCacheGuards.None);
        var features = new float[CachePairFeatures.Count];

        features[CachePairFeatures.Similarity] = 0.25f;
        Assert.Equal(0.5f + 2f, model.Score(features));
        features[CachePairFeatures.Similarity] = 0f;
        Assert.Equal(0.5f - 1f, model.Score(features));
    }

    [Fact]
    public void Check_PairCheckOff_TheEnabledLexicalGuardsReject()
    {
        var model = Stump(baseScore: 10f, cutoff: 0f, SemanticCacheGuards.None);

        Assert.Equal(SemanticCacheGuards.Polarity, Check(model, "turn on dark mode", "turn off dark mode", SemanticCacheGuards.Polarity));
        Assert.Equal(SemanticCacheGuards.None, Check(model, "turn on dark mode", "turn off dark mode", SemanticCacheGuards.Numbers));
    }

    [Fact]
    public void Check_PairCheckOn_OnlyTheModelsHardGuardsRejectOnTheirOwn()
    {
        var lenient = Stump(baseScore: 10f, cutoff: 0f, SemanticCacheGuards.None);
        var numbersHard = Stump(baseScore: 10f, cutoff: 0f, SemanticCacheGuards.Numbers);

        Assert.Equal(SemanticCacheGuards.None, Check(lenient, "wake me at 6", "wake me at 7", SemanticCacheGuards.All));
        Assert.Equal(SemanticCacheGuards.Numbers, Check(numbersHard, "wake me at 6", "wake me at 7", SemanticCacheGuards.All));
    }

    [Fact]
    public void Check_ModelRejects_NamesTheLexicalGuardThatObjectsOrThePairCheck()
    {
        var strict = Stump(baseScore: -10f, cutoff: 0f, SemanticCacheGuards.None);

        Assert.Equal(SemanticCacheGuards.Polarity, Check(strict, "turn on dark mode", "turn off dark mode", SemanticCacheGuards.All));
        Assert.Equal(SemanticCacheGuards.PairCheck, Check(strict, "storage quota per project", "storage quota per account", SemanticCacheGuards.All));
        Assert.Equal(SemanticCacheGuards.None, Check(strict, "how do I reset my password", "How do I reset my password?", SemanticCacheGuards.All));
        Assert.Equal(SemanticCacheGuards.None, Check(strict, "What's the return policy for furniture?", "Tell me the return policy for furniture.", SemanticCacheGuards.All));
        Assert.Equal(SemanticCacheGuards.PairCheck, Check(strict, "Why is the return policy for furniture so short?", "What is the return policy for furniture so short?", SemanticCacheGuards.All));
    }

    [Theory]
    [InlineData("best pizza places in NYC", "best pizza places in New York City")]
    [InlineData("cant log in to my acount", "can't log in to my account")]
    [InlineData("is it neccessary to get a visa for Cananda", "is it necessary to get a visa for Canada")]
    public void Check_SameWordsTheEntityOrPolarityGuardMisreads_ServedBeforeTheHardGuards(string cached, string incoming)
    {
        var strict = Stump(baseScore: -10f, cutoff: 0f, CachePairModel.LexicalGuards);

        Assert.NotEqual(SemanticCacheGuards.None, SemanticCacheFingerprint.Create(incoming).Compare(SemanticCacheFingerprint.Create(cached), CachePairModel.LexicalGuards));
        Assert.Equal(SemanticCacheGuards.None, Check(strict, cached, incoming, SemanticCacheGuards.All));
    }

    [Fact]
    public void Check_AnotherNameOneLetterApart_RejectedByTheEntitiesGuard()
    {
        var lenient = Stump(baseScore: 10f, cutoff: 0f, CachePairModel.LexicalGuards);

        Assert.Equal(SemanticCacheGuards.Entities, Check(lenient, "cheap flights to Iran", "cheap flights to Iraq", SemanticCacheGuards.All));
    }

    private static SemanticCacheGuards Check(CachePairModel model, string cached, string incoming, SemanticCacheGuards enabled)
        => model.Check(SemanticCacheFingerprint.Create(incoming), SemanticCacheFingerprint.Create(cached), 0.95f, enabled);

    /// <summary>One tree of depth 1 on the similarity feature: -1 at or below 0.1, +2 above.</summary>
    private static CachePairModel Stump(float baseScore, float cutoff, SemanticCacheGuards hard)
        => new(1, [CachePairFeatures.Similarity], [0.1f], [-1f, 2f], baseScore, cutoff, hard);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(3, 200)]
    [InlineData(4, 9)]
    public void Score_ManyTrees_SameFloatAsWalkingOneTreeAfterAnother(int depth, int trees)
    {
        var random = new Random(depth * 1000 + trees);
        var splits = trees * ((1 << depth) - 1);
        var features = Enumerable.Range(0, splits).Select(_ => random.Next(CachePairFeatures.Count)).ToArray();
        var thresholds = Enumerable.Range(0, splits).Select(_ => (float)random.NextDouble()).ToArray();
        var leaves = Enumerable.Range(0, trees << depth).Select(_ => (float)(random.NextDouble() - 0.5) / 3f).ToArray();
        var model = new CachePairModel(depth, features, thresholds, leaves, 0.1f, 0f, SemanticCacheGuards.None);

        for (var sample = 0; sample < 200; sample++)
        {
            var x = Enumerable.Range(0, CachePairFeatures.Count).Select(_ => (float)random.NextDouble()).ToArray();
            var expected = 0.1f;
            for (var t = 0; t < trees; t++)
            {
                var node = 0;
                var perTree = (1 << depth) - 1;
                while (node < perTree)
                {
                    node = (2 * node) + (x[features[(t * perTree) + node]] > thresholds[(t * perTree) + node] ? 2 : 1);
                }

                expected += leaves[(t << depth) + node - perTree];
            }

            Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(model.Score(x)));
        }
    }
}
