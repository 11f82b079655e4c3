using LlmOps.Metering;

namespace LlmOps.Tests.Metering;

public sealed class CostRecordTests
{
    [Fact]
    public void RequestId_FromAGeneratedInfo_IsTheInfosId()
    {
        var info = new LlmOpsInfo();
        var record = new CostRecord { RequestOf = info, Attempt = 2 };

        Assert.Equal(info.RequestId, record.RequestId);
        Assert.Matches("^[0-9a-f]{32}$", record.RequestId);
    }

    [Fact]
    public void RequestId_FromAnInfoWithAGivenId_IsThatId()
        => Assert.Equal("req-9", new CostRecord { RequestOf = new LlmOpsInfo("req-9") }.RequestId);

    [Fact]
    public void RequestId_NotSet_IsEmpty()
        => Assert.Equal(string.Empty, new CostRecord().RequestId);

    [Fact]
    public void Equals_GeneratedIdAndTheSameIdAsText_AreEqualWithEqualHashes()
    {
        var info = new LlmOpsInfo();
        var generated = new CostRecord { RequestOf = info, Attempt = 1, Model = "gpt-4o-mini", Cost = 0.25m };
        var text = new CostRecord { RequestId = info.RequestId, Attempt = 1, Model = "gpt-4o-mini", Cost = 0.25m };

        Assert.Equal(generated, text);
        Assert.Equal(generated.GetHashCode(), text.GetHashCode());
        Assert.True(generated == text);
    }

    [Fact]
    public void Equals_AnyPropertyDiffers_IsFalse()
    {
        var info = new LlmOpsInfo();
        var record = new CostRecord { RequestOf = info, Attempt = 1, Model = "gpt-4o-mini", Cost = 0.25m, PromptName = "p" };

        Assert.NotEqual(record, record with { RequestId = new LlmOpsInfo().RequestId });
        Assert.NotEqual(record, record with { Attempt = 2 });
        Assert.NotEqual(record, record with { Cost = 0.5m });
        Assert.NotEqual(record, record with { PromptName = "q" });
        Assert.NotEqual(record, record with { IsComplete = false });
        Assert.Equal(record, record with { });
    }

    [Fact]
    public void With_RequestIdAsText_ReplacesTheGeneratedId()
    {
        var record = new CostRecord { RequestOf = new LlmOpsInfo() } with { RequestId = "other" };

        Assert.Equal("other", record.RequestId);
    }
}
