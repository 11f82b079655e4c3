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

    public static TheoryData<DateTimeOffset> Timestamps() =>
    [
        default,
        DateTimeOffset.MinValue,
        DateTimeOffset.MaxValue,
        new DateTimeOffset(2026, 12, 5, 7, 3, 48, 123, TimeSpan.Zero).AddTicks(4567),
        new DateTimeOffset(2026, 12, 5, 12, 33, 48, TimeSpan.FromMinutes(330)),
        new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(-14)),
        new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.FromHours(14)),
        new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.FromHours(-14)),
    ];

    [Theory]
    [MemberData(nameof(Timestamps))]
    public void Timestamp_AnyInstantAndOffset_ReadsBackExactlyAndSurvivesWith(DateTimeOffset timestamp)
    {
        // The record keeps the timestamp as UTC ticks and an offset (so it packs into fewer bytes): it must read back as
        // the same instant, clock time and offset.
        var record = new CostRecord { Timestamp = timestamp, Model = "m" };
        var copy = record with { Model = "n" };

        foreach (var read in new[] { record.Timestamp, copy.Timestamp })
        {
            Assert.Equal(timestamp, read);
            Assert.Equal(timestamp.Offset, read.Offset);
            Assert.Equal(timestamp.DateTime, read.DateTime);
            Assert.Equal(timestamp.UtcTicks, read.UtcTicks);
        }

        Assert.Equal(record, copy with { Model = "m" });
        Assert.Equal(record.GetHashCode(), (copy with { Model = "m" }).GetHashCode());
    }

    [Fact]
    public void Equals_SameInstantInAnotherOffset_IsEqualAsBefore()
        => Assert.Equal(
            new CostRecord { Timestamp = new DateTimeOffset(2026, 12, 5, 12, 33, 0, TimeSpan.FromMinutes(330)) },
            new CostRecord { Timestamp = new DateTimeOffset(2026, 12, 5, 7, 3, 0, TimeSpan.Zero) });
}
