using System.Globalization;
using LlmOps.Evaluation.Metrics;

namespace LlmOps.Evaluation.Tests.Metrics;

public class BleuTests
{
    // sacrebleu's README example and its test_bleu.py expectations (values computed by sacrebleu itself).
    private static readonly string[] ReadmeHypotheses = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];

    private static readonly IReadOnlyList<string>[] ReadmeReferences =
    [
        ["The dog bit the man.", "The dog had bit the man."],
        ["It was not unexpected.", "No one was surprised."],
        ["The man bit him first.", "The man had bitten the dog."],
    ];

    [Fact]
    public void CorpusScore_SacreBleuReadmeExample_Equals48_5308()
    {
        BleuScore score = Bleu.CorpusScore(ReadmeHypotheses, ReadmeReferences);

        Assert.Equal(48.530827, score.Score, 4);
        Assert.Equal(17, score.HypothesisLength);
        Assert.Equal(18, score.ReferenceLength);
        Assert.Equal([14, 7, 5, 3], score.Matches); // sacrebleu prints 82.4/50.0/45.5/37.5
        Assert.Equal([17, 14, 11, 8], score.Totals);
    }

    [Fact]
    public void CorpusScore_SmoothingNone_SameAsDefaultWhenEveryOrderMatches() =>
        Assert.Equal(48.530827, Bleu.CorpusScore(ReadmeHypotheses, ReadmeReferences, new BleuOptions { Smoothing = BleuSmoothing.None }).Score, 4);

    [Fact]
    public void CorpusScore_EmptyHypotheses_AreKeptAndScoreZero() =>
        Assert.Equal(0.0, Bleu.CorpusScore(["", "", ""], ReadmeReferences).Score);

    // sacrebleu test_sentence_bleu.py (issue #98): sacrebleu's expectations, which it pins to 3 decimals.
    [Theory]
    [InlineData(BleuSmoothing.Exponential, null, 8.493)]
    [InlineData(BleuSmoothing.None, null, 0.0)]
    [InlineData(BleuSmoothing.Floor, null, 4.51688)]
    [InlineData(BleuSmoothing.Floor, 0.1, 4.51688)]
    [InlineData(BleuSmoothing.Floor, 0.5, 10.10)]
    [InlineData(BleuSmoothing.AddK, null, 14.882)]
    [InlineData(BleuSmoothing.AddK, 1.0, 14.882)]
    [InlineData(BleuSmoothing.AddK, 2.0, 21.389)]
    public void SentenceScore_SacreBleuIssue98_MatchesSacreBleu(BleuSmoothing smoothing, double? value, double expected)
    {
        const string reference = "producţia de zahăr brut se exprimă în zahăr alb;";
        const string hypothesis = "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;";

        double score = Bleu.SentenceScore(hypothesis, [reference], new BleuOptions { Smoothing = smoothing, SmoothValue = value }).Score;

        Assert.True(Math.Abs(score - expected) < 1e-3, $"expected {expected}, got {score}");
    }

    [Theory]
    [InlineData(BleuSmoothing.Exponential)]
    [InlineData(BleuSmoothing.None)]
    [InlineData(BleuSmoothing.Floor)]
    [InlineData(BleuSmoothing.AddK)]
    public void SentenceScore_NoMatchAtAll_IsZero(BleuSmoothing smoothing) =>
        Assert.Equal(0.0, Bleu.SentenceScore("this is a cat", ["okay thanks"], new BleuOptions { Smoothing = smoothing }).Score);

    // Hand-computed: 4 tokens, all n-grams match -> 100; a 2-token hypothesis of a 3-token reference with effective
    // order 2: precisions 100/100, BP = exp(1 - 3/2).
    [Fact]
    public void SentenceScore_HandComputedCases()
    {
        Assert.Equal(100.0, Bleu.SentenceScore("a b c d", ["a b c d"]).Score, 10);
        Assert.Equal(100 * Math.Exp(1 - (3.0 / 2.0)), Bleu.SentenceScore("a b", ["a b c"]).Score, 10);

        // "a b x d" vs "a b c d": p1 = 3/4, p2 = 1/3, p3: 0 of 2 -> exp smoothing 1/(2*2), p4: 0 of 1 -> 1/(4*1).
        double expected = 100 * Math.Exp((Math.Log(0.75) + Math.Log(1.0 / 3) + Math.Log(0.25) + Math.Log(0.25)) / 4);
        Assert.Equal(expected, Bleu.SentenceScore("a b x d", ["a b c d"]).Score, 10);
    }

    [Fact]
    public void SentenceScore_MultipleReferences_ClipsByTheMaximumAndUsesTheClosestShorterLength()
    {
        // "the the the" vs refs with 1 and 2 "the": clip by max -> 2/3 unigrams; closest lengths 2 and 4 tie at 1 -> 2 (shorter).
        BleuScore score = Bleu.SentenceScore("the the the", ["the cat", "the the cat sat"]);

        Assert.Equal(2, score.Matches[0]);
        Assert.Equal(2, score.ReferenceLength);
    }

    public static TheoryData<int, int, string> NltkRows()
    {
        var data = new TheoryData<int, int, string>();
        foreach (string[] row in TestData.ReadTsv("bleu_nltk.tsv"))
        {
            data.Add(row[0] == "corpus" ? -1 : int.Parse(row[0], CultureInfo.InvariantCulture), int.Parse(row[1], CultureInfo.InvariantCulture), row[2]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NltkRows))]
    public void Score_NltkSmoothing_EqualsNltk(int pair, int method, string expected)
    {
        List<string[]> pairs = [.. TestData.ReadTsv("bleu_pairs.tsv")];
        var options = new BleuOptions { Smoothing = BleuSmoothing.NltkMethod0 + method };
        Func<double> score = pair < 0
            ? () => Bleu.CorpusScore([.. pairs.Select(p => p[0])], [.. pairs.Select(p => (IReadOnlyList<string>)p[1..])], options).Score
            : () => Bleu.SentenceScore(pairs[pair][0], pairs[pair][1..], options).Score;

        if (expected == "error")
        {
            Assert.Throws<InvalidOperationException>(() => score());
        }
        else
        {
            Assert.Equal(double.Parse(expected, CultureInfo.InvariantCulture), score(), 4);
        }
    }

    [Fact]
    public void SentenceScore_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => Bleu.SentenceScore(null!, ["x"]));
        Assert.Throws<ArgumentNullException>(() => Bleu.SentenceScore("x", null!));
        Assert.Throws<ArgumentException>(() => Bleu.SentenceScore("x", []));
        Assert.Throws<ArgumentNullException>(() => Bleu.SentenceScore("x", [null!]));
        ArgumentException e = Assert.Throws<ArgumentException>(() => Bleu.SentenceScore("x", ["x"], new BleuOptions { SmoothValue = -1 }));
        Assert.Contains("BleuOptions.SmoothValue", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Bleu.CorpusScore(["a", "b"], [["a"]]));
    }
}
