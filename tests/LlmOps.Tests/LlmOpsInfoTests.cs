namespace LlmOps.Tests;

public sealed class LlmOpsInfoTests
{
    private sealed record Sample(int Value);

    [Fact]
    public void SetAndGet_TypedFeature_RoundTrips()
    {
        var info = new LlmOpsInfo();
        Assert.Null(info.Get<Sample>());

        info.Set(new Sample(3));

        Assert.Equal(3, info.Get<Sample>()!.Value);
        Assert.True(info.TryGet<Sample>(out var s));
        Assert.Equal(3, s.Value);
    }

    [Fact]
    public void GetOrAdd_ConcurrentCallers_ShareOneInstance()
    {
        var info = new LlmOpsInfo();
        var seen = new Sample[64];
        Parallel.For(0, seen.Length, i => seen[i] = info.GetOrAdd(() => new Sample(i)));
        Assert.All(seen, s => Assert.Same(seen[0], s));
    }

    [Fact]
    public void RequestId_IsGeneratedAndUnique()
        => Assert.NotEqual(new LlmOpsInfo().RequestId, new LlmOpsInfo().RequestId);

    [Fact]
    public void AddTag_EmptyName_Throws()
        => Assert.Throws<ArgumentException>("name", () => new LlmOpsInfo().AddTag("", 1));
}
