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
        Assert.Equal([CachePairTokenClass.Content, CachePairTokenClass.Function, CachePairTokenClass.Function, CachePairTokenClass.Time], Classes("wake me at 6 pm"));
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

    [Fact]
    public void Compute_SynonymReplaced_AlignedWhileAnotherNounIsASubstitution()
    {
        var synonym = Features("How big is the Pacific Ocean?", "How large is the Pacific Ocean?");
        var noun = Features("what's the storage quota per project", "what's the storage quota per account");

        Assert.Equal(0f, synonym[CachePairFeatures.SingleSubstitution]);
        Assert.Equal(1f, synonym[CachePairFeatures.WordNetSynonyms]);
        Assert.Equal(1f, noun[CachePairFeatures.SingleSubstitution]);
        Assert.Equal(0f, noun[CachePairFeatures.WordNetSynonyms]);
        Assert.Equal(0f, noun[CachePairFeatures.MeaningAllPaired]);
        Assert.True(noun[CachePairFeatures.MeaningSubstitution] < 0.5f, $"project/account {noun[CachePairFeatures.MeaningSubstitution]}");
    }

    [Fact]
    public void Compute_NothingDiffers_MeaningFeaturesNeutral()
    {
        var f = Features("how do I reset my password", "How do I reset my password?");

        Assert.Equal(1f, f[CachePairFeatures.MeaningMin]);
        Assert.Equal(1f, f[CachePairFeatures.MeaningMean]);
        Assert.Equal(0f, f[CachePairFeatures.MeaningLeft]);
        Assert.Equal(0f, f[CachePairFeatures.MeaningUnknown]);
    }

    [Fact]
    public void Compute_WordsOnlyOneSideHas_LeftUnpairedWithACourtesyScore()
    {
        // The cache strips a greeting before it fingerprints (CacheQuestionText); the feature still reads one that stays.
        var greeting = new float[CachePairFeatures.Count];
        CachePairFeatures.Compute(SemanticCacheFingerprint.FromQuestion("good morning, what's the speed of light"), SemanticCacheFingerprint.FromQuestion("what's the speed of light"), 0.95f, greeting);
        var content = Features("what's the speed of light", "what's the speed of light in glass");

        Assert.True(greeting[CachePairFeatures.MeaningLeft] > 0f);
        Assert.Equal(0f, greeting[CachePairFeatures.MeaningMin]);
        Assert.True(greeting[CachePairFeatures.MeaningCourtesy] > content[CachePairFeatures.MeaningCourtesy],
            $"morning {greeting[CachePairFeatures.MeaningCourtesy]} vs glass {content[CachePairFeatures.MeaningCourtesy]}");
    }

    [Fact]
    public void Compute_NeighboursSwapped_AdjacentSwapNotAPhraseMove()
    {
        var swap = Features("how far is 5 miles in km", "how far is 5 km in miles");
        var moved = Features("Where do screenshots get saved on my Pixel?", "On my Pixel, where do screenshots get saved?");

        Assert.Equal(1f, swap[CachePairFeatures.AdjacentSwap]);
        Assert.Equal(0f, moved[CachePairFeatures.AdjacentSwap]);
        Assert.False(CachePairModel.SameWords(swap));
        Assert.True(CachePairModel.SameWords(moved));
    }

    [Fact]
    public void Compute_MisspelledNameVersusAnotherName_OnlyTheOtherNameIsAWeakVariant()
    {
        var typo = Features("best restaurants in Chicago", "best resturants in Chicgao");
        var other = Features("cheap flights to Iran", "cheap flights to Iraq");

        Assert.Equal(0f, typo[CachePairFeatures.WeakNameVariant]);
        Assert.Equal(1f, typo[CachePairFeatures.GuardVerdicts + 3]);
        Assert.True(CachePairModel.SameWords(typo));
        Assert.Equal(1f, other[CachePairFeatures.WeakNameVariant]);
        Assert.False(CachePairModel.SameWords(other));
    }

    [Fact]
    public void Compute_WordsLineUpThroughSynonyms_ReadAsTheSameWords()
    {
        var synonyms = Features("How big is the Pacific Ocean?", "How large is the Pacific Ocean?");
        var antonyms = Features("is the floor wet", "is the floor dry");

        Assert.Equal(1f, synonyms[CachePairFeatures.WordNetSynonyms]);
        Assert.Equal(1f, synonyms[CachePairFeatures.NothingDiffers]);
        Assert.True(CachePairModel.SameWords(synonyms));
        Assert.Equal(0f, antonyms[CachePairFeatures.WordNetSynonyms]);
        Assert.Equal(1f, antonyms[CachePairFeatures.WordNetAntonym]);
        Assert.False(CachePairModel.SameWords(antonyms));
    }

    [Fact]
    public void Compute_SynonymsAfterMoreDifferingWordsThanTheRelationMemoHolds_StillAligned()
    {
        // 34 differing words on each side before the synonyms: past the 32 that share the per-pair relation memo.
        const string Animals = "dog cat horse sheep goat donkey camel zebra giraffe lion tiger leopard wolf fox bear otter beaver rabbit squirrel hedgehog badger moose bison buffalo rhino hippo gorilla monkey baboon lemur koala kangaroo panda penguin";
        const string Tools = "hammer wrench chisel drill screwdriver pliers shovel rake spade trowel crowbar mallet ladder bucket wheelbarrow sandpaper tape glue nail bolt hinge padlock stapler scissors ruler compass pencil eraser notebook envelope stamp calendar clipboard magnet";

        var features = Features($"{Animals} big", $"{Tools} large");

        Assert.Equal(34, Animals.Split(' ').Length);
        Assert.Equal(34, Tools.Split(' ').Length);
        Assert.Equal(1f, features[CachePairFeatures.WordNetSynonyms]);
    }

    [Fact]
    public void Compute_SharedNotInAnotherPlace_SameWordsButAMovedWordIsNot()
    {
        var contraction = Features("Why didn't my bread rise?", "Why did my bread not rise?");
        var moved = Features("why did my bread rise fast", "why did my fast bread rise");

        Assert.Equal(0f, contraction[CachePairFeatures.Inversions]);
        Assert.Equal(0f, contraction[CachePairFeatures.AdjacentSwap]);
        Assert.True(CachePairModel.SameWords(contraction));
        Assert.False(CachePairModel.SameWords(moved));
    }

    [Fact]
    public void Compute_SynonymsBelowTheThreshold_NotServedByTheSameWordsFloor()
    {
        var synonyms = Features("How big is the Pacific Ocean?", "How large is the Pacific Ocean?", 0.5f);

        Assert.False(CachePairModel.SameWordsBelowThreshold(synonyms, 0.5f));
    }

    [Fact]
    public void Compute_WordMovedIntoTheMiddle_InteriorMoveButTopicFrontedIsNot()
    {
        var role = Features("Can my manager see the events on my personal calendar in Outlook?", "Can I see the events on my manager's personal calendar in Outlook?");
        var topic = Features("Where do screenshots get saved on my Pixel?", "On my Pixel, where do screenshots get saved?");

        Assert.Equal(1f, role[CachePairFeatures.InteriorMove]);
        Assert.Equal(0f, topic[CachePairFeatures.InteriorMove]);
        Assert.True(CachePairModel.SameWords(topic));
    }
}
