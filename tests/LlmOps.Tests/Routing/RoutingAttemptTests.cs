using LlmOps.Metering;
using LlmOps.Routing;

namespace LlmOps.Tests.Routing;

public sealed class RoutingAttemptTests
{
    public static TheoryData<RoutingFailureKind?> Failures()
    {
        var data = new TheoryData<RoutingFailureKind?> { null, (RoutingFailureKind)(-1), (RoutingFailureKind)int.MaxValue };
        foreach (var kind in Enum.GetValues<RoutingFailureKind>())
        {
            data.Add(kind);
        }

        return data;
    }

    private static RoutingAttempt Attempt(RoutingFailureKind? failure, bool hedged = false)
        => new(2, "chat", "east", "gpt-4o-mini", ModelTier.Small, failure is null ? RoutingAttemptResult.Succeeded : RoutingAttemptResult.Failed,
            failure, failure is null ? null : "boom", TimeSpan.FromMilliseconds(120), hedged);

    [Theory]
    [MemberData(nameof(Failures))]
    public void Failure_AnyValueOrNone_ReadsBackThroughTheConstructorWithAndDeconstruct(RoutingFailureKind? failure)
    {
        // The attempt keeps the failure as a value and a flag (to pack with Hedged): every value and "none" must survive,
        // including Transient (0) and undefined values.
        var attempt = Attempt(failure, hedged: true);
        var rewritten = Attempt(RoutingFailureKind.Timeout) with { Failure = failure, Hedged = true, Result = attempt.Result, Reason = attempt.Reason };

        Assert.Equal(failure, attempt.Failure);
        Assert.Equal(failure, rewritten.Failure);
        Assert.True(attempt.Hedged);
        Assert.Equal(attempt, rewritten);
        Assert.Equal(attempt.GetHashCode(), rewritten.GetHashCode());
        attempt.Deconstruct(out _, out _, out _, out _, out _, out _, out var deconstructed, out _, out _, out var hedged);
        Assert.Equal(failure, deconstructed);
        Assert.True(hedged);
        Assert.Contains($"Failure = {failure}", attempt.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Equals_NoFailureAndTransient_Differ()
    {
        Assert.NotEqual(Attempt(null) with { Result = RoutingAttemptResult.Failed }, Attempt(RoutingFailureKind.Transient) with { Reason = null });
        Assert.Null((Attempt(RoutingFailureKind.Transient) with { Failure = null }).Failure);
        Assert.Equal(Attempt(null), Attempt(RoutingFailureKind.RateLimited) with { Failure = null, Result = RoutingAttemptResult.Succeeded, Reason = null });
    }
}
