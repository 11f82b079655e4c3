using LlmOps.Retrieval;

namespace LlmOps.Tests.Retrieval;

public sealed class EnglishTextAnalyzerTests
{
    [Theory]
    // Examples from Porter's paper, step by step.
    [InlineData("caresses", "caress")]
    [InlineData("ponies", "poni")]
    [InlineData("cats", "cat")]
    [InlineData("feed", "feed")]
    [InlineData("agreed", "agre")]
    [InlineData("plastered", "plaster")]
    [InlineData("motoring", "motor")]
    [InlineData("sing", "sing")]
    [InlineData("conflated", "conflat")]
    [InlineData("troubled", "troubl")]
    [InlineData("sized", "size")]
    [InlineData("hopping", "hop")]
    [InlineData("falling", "fall")]
    [InlineData("filing", "file")]
    [InlineData("happy", "happi")]
    [InlineData("relational", "relat")]
    [InlineData("conditional", "condit")]
    [InlineData("valenci", "valenc")]
    [InlineData("digitizer", "digit")]
    [InlineData("generalization", "gener")]
    [InlineData("triplicate", "triplic")]
    [InlineData("hopeful", "hope")]
    [InlineData("goodness", "good")]
    [InlineData("revival", "reviv")]
    [InlineData("adjustment", "adjust")]
    [InlineData("adoption", "adopt")]
    [InlineData("controlling", "control")]
    [InlineData("probate", "probat")]
    [InlineData("rate", "rate")]
    [InlineData("generously", "gener")]
    // The reference implementation's additions to step 2.
    [InlineData("sensibility", "sensibl")]
    [InlineData("archaeology", "archaeolog")]
    [InlineData("is", "is")]
    public void Stem_PaperExamples_MatchPorter(string word, string expected)
    {
        var analyzer = new EnglishTextAnalyzer(stopWords: []);
        Assert.Equal([expected], analyzer.Analyze(word));
    }

    [Fact]
    public void Analyze_Sentence_LowercasesDropsStopwordsAndPossessives()
    {
        IReadOnlyList<string> terms = EnglishTextAnalyzer.Default.Analyze("The Doctor's patients are RECOVERING in the hospital's wards.");
        Assert.Equal(["doctor", "patient", "recov", "hospit", "ward"], terms);
    }

    [Fact]
    public void Analyze_NumbersAndContractions_StayWhole()
    {
        IReadOnlyList<string> terms = new EnglishTextAnalyzer(stopWords: [], stem: false).Analyze("It costs 2.5 dollars, 10,000 don't-care items; end. 3.");
        Assert.Equal(["it", "costs", "2.5", "dollars", "10,000", "don't", "care", "items", "end", "3"], terms);
    }

    [Fact]
    public void Analyze_CompatibilityCharacters_AreNormalised()
    {
        // U+FB01 is the "fi" ligature; full-width Latin letters fold to ASCII under NFKC.
        IReadOnlyList<string> terms = new EnglishTextAnalyzer(stem: false).Analyze("\uFB01sh ＡＢＣ Straße");
        Assert.Equal(["fish", "abc", "straße"], terms);
    }

    [Fact]
    public void Analyze_Ideographs_AreOneTermEach()
    {
        IReadOnlyList<string> terms = EnglishTextAnalyzer.Default.Analyze("检索 test");
        Assert.Equal(["检", "索", "test"], terms);
    }

    [Fact]
    public void Analyze_OverlongToken_IsDropped()
    {
        string longWord = new('x', EnglishTextAnalyzer.MaxTokenLength + 1);
        Assert.Equal(["short"], EnglishTextAnalyzer.Default.Analyze(longWord + " short"));
    }

    [Fact]
    public void Analyze_NullSink_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => EnglishTextAnalyzer.Default.Analyze("x", null!));
    }
}
