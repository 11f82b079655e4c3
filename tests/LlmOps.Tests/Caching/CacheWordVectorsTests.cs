using LlmOps.Caching;

namespace LlmOps.Tests.Caching;

public sealed class CacheWordVectorsTests
{
    private static int Index(string word)
    {
        var tokens = SemanticCacheFingerprint.Create(word).Sequence;
        Assert.Single(tokens);
        return CacheWordVectors.Default.IndexOf(tokens[0]);
    }

    private static float Cosine(string x, string y) => CacheWordVectors.Default.Cosine(Index(x), Index(y));

    [Fact]
    public void Default_ShippedTable_LoadsSmallAndCoversCommonWords()
    {
        var table = CacheWordVectors.Default;

        Assert.InRange(table.Dimensions, 32, 64);
        Assert.InRange(table.Count, 20_000, 60_000);
        foreach (var word in new[] { "car", "automobile", "password", "router", "faucet", "purchase", "cheapest", "Rome" })
        {
            Assert.True(Index(word) >= 0, $"'{word}' is not in the word-vector table");
        }
    }

    [Fact]
    public void IndexOf_InflectionsShareAStem_SameEntry()
    {
        Assert.Equal(Index("refund"), Index("refunds"));
        Assert.Equal(Index("connection"), Index("connections"));
        Assert.Equal(Index("Rome"), Index("rome"));
        Assert.Equal(-1, CacheWordVectors.Default.IndexOf(SemanticCacheFingerprint.Create("qzxvkjw").Sequence[0]));
    }

    [Theory]
    [InlineData("car", "automobile", "banana")]
    [InlineData("buy", "purchase", "sleep")]
    [InlineData("cheap", "affordable", "project")]
    [InlineData("big", "large", "account")]
    public void Cosine_Synonyms_CloserThanUnrelatedWords(string word, string synonym, string unrelated)
    {
        Assert.True(Cosine(word, synonym) > 0.6f, $"{word}/{synonym}: {Cosine(word, synonym)}");
        Assert.True(Cosine(word, synonym) > Cosine(word, unrelated) + 0.3f, $"{word}/{synonym} {Cosine(word, synonym)} vs {word}/{unrelated} {Cosine(word, unrelated)}");
        Assert.Equal(1f, Cosine(word, word));
    }

    [Fact]
    public void SaveLoad_RoundTrip_SameCosines()
    {
        var table = new CacheWordVectors([1UL, 5UL, 9UL], [1, 2, -3, 4, 0, 0, 0, 0, 7], 3);
        using var stream = new MemoryStream();
        table.Save(stream);
        stream.Position = 0;

        var loaded = CacheWordVectors.Load(stream);

        Assert.Equal(3, loaded.Count);
        Assert.Equal(table.Cosine(0, 1), loaded.Cosine(0, 1), 6);
        Assert.Equal(2, loaded.IndexOf(9UL));
        Assert.Equal(-1, loaded.IndexOf(7UL));
        Assert.Equal(0f, loaded.Cosine(1, 2));
    }

    [Fact]
    public void Load_DamagedOrForeignData_ThrowsInvalidDataNamingTheFix()
    {
        var table = new CacheWordVectors([1UL, 5UL], [1, 2, 3, 4], 2);
        using var stream = new MemoryStream();
        table.Save(stream);
        var bytes = stream.ToArray();
        bytes[^10] ^= 0x40;

        var damaged = Assert.Throws<InvalidDataException>(() => CacheWordVectors.Load(new MemoryStream(bytes)));
        var foreign = Assert.Throws<InvalidDataException>(() => CacheWordVectors.Load(new MemoryStream("not a table at all, really"u8.ToArray())));

        Assert.Contains("checksum", damaged.Message, StringComparison.Ordinal);
        Assert.Contains("tools/LlmOps.Caching.Training", damaged.Message, StringComparison.Ordinal);
        Assert.Contains("LLMOPSWV", foreign.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_BadShape_Throws()
    {
        Assert.Throws<ArgumentException>(() => new CacheWordVectors([5UL, 1UL], [1, 2, 3, 4], 2));
        Assert.Throws<ArgumentException>(() => new CacheWordVectors([1UL, 5UL], [1, 2, 3], 2));
        Assert.Throws<ArgumentException>(() => new CacheWordVectors([1UL], [0, 0], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CacheWordVectors([1UL], [], 0));
    }

    [Theory]
    [InlineData(48)]
    [InlineData(50)]
    [InlineData(7)]
    public void CosineAndAddUnitVector_ExtremeValues_SameAsTheScalarFormula(int dimensions)
    {
        var random = new Random(dimensions);
        var vectors = new sbyte[3 * dimensions];
        for (var k = 0; k < vectors.Length; k++)
        {
            vectors[k] = k < dimensions ? (sbyte)-128 : k < 2 * dimensions ? (sbyte)127 : (sbyte)random.Next(-128, 128);
        }

        vectors[(2 * dimensions) + 1] = 1;
        var table = new CacheWordVectors([1UL, 2UL, 3UL], vectors, dimensions);

        for (var a = 0; a < 3; a++)
        {
            for (var b = 0; b < 3; b++)
            {
                if (a == b)
                {
                    continue;
                }

                var dot = 0;
                var sumA = 0L;
                var sumB = 0L;
                for (var k = 0; k < dimensions; k++)
                {
                    dot += vectors[(a * dimensions) + k] * vectors[(b * dimensions) + k];
                    sumA += vectors[(a * dimensions) + k] * vectors[(a * dimensions) + k];
                    sumB += vectors[(b * dimensions) + k] * vectors[(b * dimensions) + k];
                }

                Assert.Equal(dot * (1f / MathF.Sqrt(sumA)) * (1f / MathF.Sqrt(sumB)), table.Cosine(a, b));
            }

            var sum = Enumerable.Range(0, dimensions).Select(k => k * 0.01f).ToArray();
            var expected = sum.ToArray();
            var scale = table.InverseNorm(a);
            for (var k = 0; k < dimensions; k++)
            {
                expected[k] += vectors[(a * dimensions) + k] * scale;
            }

            table.AddUnitVector(a, sum);
            Assert.Equal(expected, sum);
        }
    }
}
