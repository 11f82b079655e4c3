using Microsoft.Extensions.AI;

namespace LlmOps.Tests;

public sealed class StreamUsageTests
{
    [Fact]
    public void Details_NoUsageReported_IsNull()
    {
        var usage = default(StreamUsage);

        Assert.Null(usage.Details);
    }

    [Fact]
    public void Add_OneItem_ReadsTheProvidersDetailsWithoutACopy()
    {
        var reported = new UsageDetails { InputTokenCount = 40, OutputTokenCount = 12 };
        var usage = default(StreamUsage);

        usage.Add(reported);

        Assert.Same(reported, usage.Details);
    }

    [Fact]
    public void Add_SeveralItems_SumsThemLikeUsageDetailsAdd_AndNeverChangesTheProvidersDetails()
    {
        var first = new UsageDetails { InputTokenCount = 7, AdditionalCounts = new() { ["gpu"] = 5 } };
        var second = new UsageDetails { OutputTokenCount = 2 };
        var third = new UsageDetails { OutputTokenCount = 3, AdditionalCounts = new() { ["gpu"] = 1 } };
        var usage = default(StreamUsage);

        usage.Add(first);
        usage.Add(second);
        usage.Add(third);

        var expected = new UsageDetails();
        expected.Add(first);
        expected.Add(second);
        expected.Add(third);
        Assert.Equal(expected.InputTokenCount, usage.Details!.InputTokenCount);
        Assert.Equal(5, usage.Details.OutputTokenCount);
        Assert.Equal(6, usage.Details.AdditionalCounts!["gpu"]);
        Assert.Equal(7, first.InputTokenCount);
        Assert.Null(first.OutputTokenCount);
        Assert.Equal(5, first.AdditionalCounts!["gpu"]);
        Assert.Equal(2, second.OutputTokenCount);
    }
}
