using LlmOps.Evaluation.Metrics;

namespace LlmOps.Evaluation.Tests.Metrics;

public class RougeScorerTests
{
    private static readonly RougeScorer Plain = new();
    private static readonly RougeScorer Stemmed = new(useStemmer: true);

    // rouge-score's own rouge_scorer_test.py cases (its score(target, prediction) has the target first).
    [Fact]
    public void Rouge1_RougeScoreTestCase()
    {
        RougeScore s = Plain.Score("testing", "testing one two", RougeType.Rouge1);
        Assert.Equal(1.0, s.Precision, 10);
        Assert.Equal(1.0 / 3, s.Recall, 10);
        Assert.Equal(0.5, s.FMeasure, 10);
    }

    [Fact]
    public void Rouge2_RougeScoreTestCase()
    {
        RougeScore s = Plain.Score("testing one", "testing one two", RougeType.Rouge2);
        Assert.Equal(1.0, s.Precision, 10);
        Assert.Equal(0.5, s.Recall, 10);
        Assert.Equal(2.0 / 3, s.FMeasure, 10);
    }

    [Theory]
    [InlineData("testing one")]
    [InlineData("testing two")]
    public void RougeL_ConsecutiveAndNot_RougeScoreTestCases(string prediction)
    {
        RougeScore s = Plain.Score(prediction, "testing one two", RougeType.RougeL);
        Assert.Equal(1.0, s.Precision, 10);
        Assert.Equal(2.0 / 3, s.Recall, 10);
        Assert.Equal(0.8, s.FMeasure, 10);
    }

    [Theory]
    [InlineData(RougeType.Rouge1)]
    [InlineData(RougeType.Rouge2)]
    [InlineData(RougeType.RougeL)]
    [InlineData(RougeType.RougeLsum)]
    public void Score_EmptyPrediction_IsZero(RougeType type) =>
        Assert.Equal(default, Plain.Score(string.Empty, "testing one two", type));

    [Fact]
    public void RougeLsum_RougeScoreTestCase_UnionLcsAcrossSentences()
    {
        RougeScore s = Plain.Score("w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5", "w1 w2 w3 w4 w5", RougeType.RougeLsum);
        Assert.Equal(0.4, s.Precision, 10);
        Assert.Equal(0.8, s.Recall, 10);
        Assert.Equal(0.5333, s.FMeasure, 4);

        Assert.Equal(default, Plain.Score("/", "w1 w2 w3 w4 w5", RougeType.RougeLsum));
        Assert.Equal(default, Plain.Score("w1", string.Empty, RougeType.RougeLsum));
    }

    [Fact]
    public void RougeLsum_RepeatedTokens_AreNotCountedTwice()
    {
        // Reference sentences "a b" and "a c"; prediction "a". The union LCS of each reference sentence contains "a",
        // but the prediction has one "a": 1 hit. P = 1/1, R = 1/4 (hand-computed from rouge-score's algorithm).
        RougeScore s = Plain.Score("a", "a b\na c", RougeType.RougeLsum);
        Assert.Equal(1.0, s.Precision, 10);
        Assert.Equal(0.25, s.Recall, 10);
    }

    [Fact]
    public void Tokenizer_LowercasesAndSplitsOnNonAlphanumerics()
    {
        Assert.Equal(["it", "s", "a", "b2b", "caf", "2024"], RougeTokenizer.Tokenize("It's a B2B café, 2024!"));
        Assert.Equal(["i", "stanbul", "k"], RougeTokenizer.Tokenize("\u0130stanbul \u212A"));
    }

    [Fact]
    public void Tokenizer_Stemming_AppliesOnlyToTokensLongerThanThree()
    {
        Assert.Equal(["the", "cat", "are", "run", "quickli"], RougeTokenizer.Tokenize("The cats are running quickly", stem: true));
        Assert.Equal(["ies"], RougeTokenizer.Tokenize("ies", stem: true));
    }

    [Fact]
    public void Stemming_MakesInflectionsMatch()
    {
        Assert.Equal(0.0, Plain.Score("cats running", "cat run", RougeType.Rouge1).FMeasure);
        Assert.Equal(1.0, Stemmed.Score("cats running", "cat run", RougeType.Rouge1).FMeasure, 10);
    }

    [Fact]
    public void ScoreAll_AgreesWithSingleScores()
    {
        const string p = "the quick brown fox jumped over the dog\nit ran away";
        const string r = "a quick brown fox jumps over the lazy dog\nthen it ran";
        RougeScores all = Stemmed.ScoreAll(p, r);

        Assert.Equal(Stemmed.Score(p, r, RougeType.Rouge1), all.Rouge1);
        Assert.Equal(Stemmed.Score(p, r, RougeType.Rouge2), all.Rouge2);
        Assert.Equal(Stemmed.Score(p, r, RougeType.RougeL), all.RougeL);
        Assert.Equal(Stemmed.Score(p, r, RougeType.RougeLsum), all.RougeLsum);
    }

    [Fact]
    public void Rouge1_HandComputedClipping()
    {
        // prediction "the the the cat" vs reference "the cat sat": overlap the x1 + cat x1 = 2; P = 2/4, R = 2/3.
        RougeScore s = Plain.Score("the the the cat", "the cat sat", RougeType.Rouge1);
        Assert.Equal(0.5, s.Precision, 10);
        Assert.Equal(2.0 / 3, s.Recall, 10);
        Assert.Equal(4.0 / 7, s.FMeasure, 10);
    }

    [Fact]
    public void InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => Plain.Score(null!, "x", RougeType.Rouge1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Plain.ScoreN("x", "x", 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => Plain.Score("x", "x", (RougeType)42));
    }
}
