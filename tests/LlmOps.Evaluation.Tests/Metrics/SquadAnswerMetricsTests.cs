using LlmOps.Evaluation.Metrics;

namespace LlmOps.Evaluation.Tests.Metrics;

// Expected values hand-computed from the SQuAD v1.1 evaluation script's rules.
public class SquadAnswerMetricsTests
{
    [Theory]
    [InlineData("The Eiffel Tower!", "eiffel tower")]
    [InlineData("  an   apple, a pear and the plum ", "apple pear and plum")]
    [InlineData("Theatre anthem", "theatre anthem")]
    [InlineData("a", "")]
    public void Normalize_FollowsSquad(string text, string expected) => Assert.Equal(expected, SquadAnswerMetrics.Normalize(text));

    [Fact]
    public void ExactMatch_AnyNormalisedReference_Counts()
    {
        Assert.Equal(1.0, SquadAnswerMetrics.ExactMatch("the Denver Broncos", ["Broncos", "Denver Broncos"]));
        Assert.Equal(0.0, SquadAnswerMetrics.ExactMatch("Denver", ["Denver Broncos"]));
    }

    [Fact]
    public void TokenF1_TakesTheBestReference()
    {
        // "denver broncos won" vs "denver broncos": P = 2/3, R = 1 -> F1 = 0.8.
        Assert.Equal(0.8, SquadAnswerMetrics.TokenF1("Denver Broncos won", ["Carolina Panthers", "Denver Broncos"]), 10);
        Assert.Equal(0.0, SquadAnswerMetrics.TokenF1("nothing", ["Denver Broncos"]));
    }

    [Fact]
    public void InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentException>(() => SquadAnswerMetrics.TokenF1("x", []));
        Assert.Throws<ArgumentNullException>(() => SquadAnswerMetrics.ExactMatch(null!, ["x"]));
    }
}
