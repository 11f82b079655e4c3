using LlmOps.Caching;

namespace LlmOps.Tests.Caching;

public sealed class CacheStemIndexTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1_000)]
    [InlineData(40_000)]
    public void IndexOf_PresentAndAbsentKeys_SameAsBinarySearch(int count)
    {
        var random = new Random(15);
        var keys = new SortedSet<ulong>();
        while (keys.Count < count)
        {
            // Stem hashes are 56 bits; keys that differ only in high bits land on the same slot more often.
            keys.Add((ulong)random.NextInt64() & ((1UL << 56) - 1));
        }

        var sorted = keys.ToArray();
        var index = new CacheStemIndex(sorted);

        for (var i = 0; i < sorted.Length; i++)
        {
            Assert.Equal(i, index.IndexOf(sorted[i]));
        }

        for (var probe = 0; probe < 5_000; probe++)
        {
            var key = (ulong)random.NextInt64() & ((1UL << 56) - 1);
            var expected = Array.BinarySearch(sorted, key);
            Assert.Equal(expected >= 0 ? expected : -1, index.IndexOf(key));
        }
    }
}
