using LlmOps.Caching;

namespace LlmOps.Tests.Caching;

public sealed class CachePairFeaturesTests
{
    private static float[] Features(string cached, string incoming, float similarity = 0.95f)
    {
        var features = new float[CachePairFeatures.Count];
        CachePairFeatures.Compute(SemanticCacheFingerprint.Create(incoming), SemanticCacheFingerprint.Create(cached), similarity, features);
        return features;
    }

    private static CachePairTokenClass[] Classes(string text)
        => SemanticCacheFingerprint.Create(text).Sequence.Select(CachePairTokenizer.ClassOf).ToArray();

    [Fact]
    public void Tokenize_WordClasses_FromShapeNeighboursAndClosedClasses()
    {
        Assert.Equal(
            [CachePairTokenClass.Question, CachePairTokenClass.Function, CachePairTokenClass.Content, CachePairTokenClass.Comparative, CachePairTokenClass.Pivot, CachePairTokenClass.Entity],
            Classes("why is rust faster than Go"));
        Assert.Equal([CachePairTokenClass.Content, CachePairTokenClass.Function, CachePairTokenClass.Function, CachePairTokenClass.Time, CachePairTokenClass.Time], Classes("wake me at 6 pm"));
        Assert.Equal([CachePairTokenClass.Modal, CachePairTokenClass.Function, CachePairTokenClass.Negation, CachePairTokenClass.Scope], Classes("should I not all"));
        Assert.Equal([CachePairTokenClass.Number, CachePairTokenClass.Unit, CachePairTokenClass.Pivot, CachePairTokenClass.Entity], Classes("transfer 50 kg to US").Skip(1).ToArray());
    }

    [Fact]
    public void Tokenize_ContractionsAndHowCan_ReadAsTheirSpelledForms()
    {
        Assert.Equal(SemanticCacheFingerprint.Create("what's the time").Sequence, SemanticCacheFingerprint.Create("whats the time").Sequence);
        Assert.Equal(SemanticCacheFingerprint.Create("how do I reset it").Sequence, SemanticCacheFingerprint.Create("How can I reset it?").Sequence);
        Assert.Contains(CachePairTokenClass.Negation, Classes("I can't log in"));
    }

    [Theory]
    [InlineData("transfer 50 GBP to JPY", "transfer 50 JPY to GBP")]
    [InlineData("train from Rome to Milan", "train from Milan to Rome")]
    [InlineData("is Go safer than C", "is C safer than Go")]
    public void Compute_RoleSwapAroundPivot_PivotObjectSwap(string cached, string incoming)
    {
        var f = Features(cached, incoming);

        Assert.Equal(1f, f[CachePairFeatures.PivotObjectSwap]);
        Assert.Equal(1f, f[CachePairFeatures.NothingDiffers]);
    }

    [Fact]
    public void Compute_PhraseMovedToTheFront_OneBlockMoveAndNoSwap()
    {
        var f = Features("How do I merge two cells in Excel?", "In Excel, how do I merge two cells?");

        Assert.Equal(1f, f[CachePairFeatures.BlockMove]);
        Assert.Equal(0f, f[CachePairFeatures.Inversions]);
        Assert.Equal(0f, f[CachePairFeatures.PivotObjectSwap]);
        Assert.Equal(0f, f[CachePairFeatures.CrossSwap]);
    }

    [Fact]
    public void Compute_NamesSwappedAroundAVerb_CrossSwap()
    {
        var f = Features("Did Disney buy Pixar?", "Did Pixar buy Disney?");

        Assert.Equal(1f, f[CachePairFeatures.CrossSwap]);
        Assert.Equal(1f, f[CachePairFeatures.NameOrderSwap]);
    }

    [Theory]
    [InlineData("wake me at 6 am", "wake me at 6 pm", (int)CachePairTokenClass.Time)]
    [InlineData("quota per project", "quota per account", (int)CachePairTokenClass.Content)]
    [InlineData("can tenants paint the walls", "must tenants paint the walls", (int)CachePairTokenClass.Modal)]
    [InlineData("delete all files", "delete only files", (int)CachePairTokenClass.Scope)]
    public void Compute_OneWordReplaced_SubstitutionOfItsClass(string cached, string incoming, int replaced)
    {
        var f = Features(cached, incoming);

        Assert.Equal(1f, f[CachePairFeatures.Substituted + replaced]);
        Assert.Equal(1f, f[CachePairFeatures.SingleSubstitution]);
    }

    [Theory]
    [InlineData("my printer won't print in colour", "my printr wont print in colour")]
    [InlineData("can't connect to wifi on my laptop", "cant conect to wifi on my lapotp")]
    [InlineData("approximately how long is the drive", "approx how long is the drive")]
    [InlineData("paid time off policy for new hires", "PTO policy for new hires")]
    public void Compute_TyposAbbreviationsAcronyms_ExplainedAsVariants(string cached, string incoming)
    {
        var f = Features(cached, incoming);

        Assert.True(f[CachePairFeatures.SpellingVariants] >= 1f);
        Assert.Equal(1f, f[CachePairFeatures.NothingDiffers]);
    }

    [Theory]
    [InlineData("how do I mute everyone", "how do I unmute everyone")]
    [InlineData("noise from the apartment upstairs", "noise from the apartment downstairs")]
    [InlineData("population of Nigeria", "population of Niger")]
    public void Compute_NegatingPrefixOrOtherName_NotAVariant(string cached, string incoming)
    {
        var f = Features(cached, incoming);

        Assert.Equal(0f, f[CachePairFeatures.SpellingVariants]);
        Assert.Equal(0f, f[CachePairFeatures.NothingDiffers]);
    }

    [Fact]
    public void Compute_GuardVerdicts_AreFeatures()
    {
        var f = Features("turn on dark mode", "turn off dark mode");

        Assert.Equal(1f, f[CachePairFeatures.GuardVerdicts]);
        Assert.Equal(0f, f[CachePairFeatures.GuardVerdicts + 1]);
    }

    [Fact]
    public void Compute_WrongSpanLength_Throws()
    {
        var a = SemanticCacheFingerprint.Create("a question");
        Assert.Throws<ArgumentException>(() => CachePairFeatures.Compute(a, a, 1f, new float[3]));
    }
}
