using LlmOps.Prompts;

namespace LlmOps.Tests.Prompts;

public class PromptExperimentTests
{
    private static PromptExperiment Create(double control = 50, double treatment = 50)
        => new("exp-1", "summarize", new PromptVariant("control", control, Label: "production"), new PromptVariant("shorter", treatment, Version: 2));

    [Fact]
    public void Assign_SameSubject_SameVariantAcrossInstances()
    {
        var a = Create();
        var b = Create();
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(a.Assign($"user-{i}").Name, b.Assign($"user-{i}").Name);
        }
    }

    [Fact]
    public void Assign_IsStableAcrossReleases()
    {
        // Pinned values: if the hash changes, every running experiment would silently reshuffle its users.
        Assert.Equal(0.9394, PromptExperiment.UnitHash("exp-1", "user-1", "control"), 4);
        var e = Create();
        Assert.Equal("control", e.Assign("user-1").Name);
    }

    [Theory]
    [InlineData(50, 50)]
    [InlineData(70, 30)]
    [InlineData(90, 10)]
    public void Assign_100kSubjects_SplitWithinOnePoint(double control, double treatment)
    {
        var e = Create(control, treatment);
        var treated = 0;
        for (var i = 0; i < 100_000; i++)
        {
            if (e.Assign($"subject-{i}").Name == "shorter") treated++;
        }

        Assert.InRange(treated / 100_000.0, treatment / (control + treatment) - 0.01, treatment / (control + treatment) + 0.01);
    }

    [Fact]
    public void SetWeight_RaisingOneVariant_OnlyMovesSubjectsIntoIt()
    {
        var e = new PromptExperiment("exp-3", "p", new PromptVariant("a", 1, 1), new PromptVariant("b", 1, 2), new PromptVariant("c", 1, 3));
        var before = Enumerable.Range(0, 30_000).Select(i => e.Assign($"s{i}").Name).ToArray();
        e.SetWeight("c", 2);
        var after = Enumerable.Range(0, 30_000).Select(i => e.Assign($"s{i}").Name).ToArray();

        var moved = 0;
        for (var i = 0; i < before.Length; i++)
        {
            if (before[i] != after[i])
            {
                moved++;
                Assert.Equal("c", after[i]);
            }
        }

        // c goes from 1/3 to 1/2 of traffic: the minimum possible move is 1/6 of subjects.
        Assert.InRange(moved / 30_000.0, 1 / 6.0 - 0.01, 1 / 6.0 + 0.01);
    }

    [Fact]
    public void StopAndRollback_SendSubjectsBack()
    {
        var e = new PromptExperiment("exp-4", "p", new PromptVariant("a", 1, 1), new PromptVariant("b", 1, 2), new PromptVariant("c", 1, 3));
        var before = Enumerable.Range(0, 3000).Select(i => e.Assign($"s{i}").Name).ToArray();
        e.RollbackVariant("b");
        for (var i = 0; i < before.Length; i++)
        {
            var now = e.Assign($"s{i}").Name;
            Assert.NotEqual("b", now);
            if (before[i] != "b") Assert.Equal(before[i], now);
        }

        e.Stop();
        Assert.True(e.IsStopped);
        Assert.All(Enumerable.Range(0, 100), i => Assert.Equal("a", e.Assign($"s{i}").Name));
        Assert.Throws<InvalidOperationException>(() => e.RollbackVariant("a"));
    }

    [Fact]
    public void Constructor_InvalidVariants_Throw()
    {
        Assert.Throws<ArgumentException>(() => new PromptExperiment("e", "p", new PromptVariant("a", double.NaN, 1)));
        Assert.Throws<ArgumentException>(() => new PromptExperiment("e", "p", new PromptVariant("a", -1, 1)));
        Assert.Throws<ArgumentException>(() => new PromptExperiment("e", "p", new PromptVariant("a", 1)));
        Assert.Throws<ArgumentException>(() => new PromptExperiment("e", "p", new PromptVariant("a", 1, 1), new PromptVariant("a", 1, 2)));
        Assert.Throws<ArgumentException>(() => Create().RecordOutcome("nope", new PromptOutcome(true)));
    }

    [Fact]
    public void GetResults_SignificantRateDifference_DeclaresWinnerWithHandComputedFigures()
    {
        var e = Create();
        for (var i = 0; i < 100; i++)
        {
            e.RecordOutcome("control", new PromptOutcome(Success: i < 50, Cost: 0.01m, Latency: TimeSpan.FromMilliseconds(100)));
            e.RecordOutcome("shorter", new PromptOutcome(Success: i < 65, Cost: 0.02m, Latency: TimeSpan.FromMilliseconds(200)));
        }

        var results = e.GetResults();

        Assert.Equal("shorter", results.Winner);
        var control = results.Variants[0];
        var shorter = results.Variants[1];
        Assert.Equal(0.5, control.SuccessRate);
        // Wald: 0.5 ± 1.959964 · sqrt(0.25/100) = 0.5 ± 0.0979982
        Assert.Equal(0.4020018, control.SuccessRateInterval!.Value.Lower, 5);
        Assert.Equal(0.5979982, control.SuccessRateInterval!.Value.Upper, 5);
        Assert.Null(control.SuccessRateTest);
        Assert.Equal(2.145596, shorter.SuccessRateTest!.Statistic, 5);  // see ExperimentStatisticsTests
        Assert.True(shorter.SuccessRateTest.IsSignificant);
        Assert.Equal(0.02, shorter.MeanCost!.Value, 10);
        Assert.Equal(200, shorter.MeanLatencyMilliseconds!.Value, 10);
    }

    [Fact]
    public void GetResults_NotSignificant_NoWinner_AndScoresUseWelch()
    {
        var e = Create();
        foreach (var s in new[] { 1.0, 2, 3, 4, 5 }) e.RecordOutcome("control", new PromptOutcome(Score: s));
        foreach (var s in new[] { 2.0, 4, 6, 8, 10 }) e.RecordOutcome("shorter", new PromptOutcome(Score: s));

        var results = e.GetResults();

        Assert.Null(results.Winner);
        var control = results.Variants[0];
        // mean 3 ± t(0.975, 4) · sqrt(2.5 / 5) = 3 ± 2.776445 · 0.7071068 = 3 ± 1.963243
        Assert.Equal(1.036757, control.ScoreInterval!.Value.Lower, 4);
        Assert.Equal(4.963243, control.ScoreInterval!.Value.Upper, 4);
        var test = results.Variants[1].ScoreTest!;
        Assert.Equal("Welch t-test", test.Method);
        Assert.Equal(0.107531, test.PValue, 4);
        Assert.False(test.IsSignificant);
    }

    [Fact]
    public void RecordOutcome_Concurrent_CountsEveryOutcome()
    {
        var e = Create();
        Parallel.For(0, 10_000, i => e.RecordOutcome(i % 2 == 0 ? "control" : "shorter", new PromptOutcome(Success: true, Score: 1)));
        var results = e.GetResults();
        Assert.Equal(5000, results.Variants[0].Count);
        Assert.Equal(5000, results.Variants[1].Successes);
    }
}
