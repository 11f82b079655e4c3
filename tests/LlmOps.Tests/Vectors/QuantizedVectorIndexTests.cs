using System.IO.Compression;
using LlmOps.Vectors;

namespace LlmOps.Tests.Vectors;

public class QuantizedVectorIndexTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>Loads the committed all-MiniLM-L6-v2 fixture (see Fixtures/GenerateMiniLmFixture.cs).</summary>
    private static float[][] LoadMiniLmFixture()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Vectors", "Fixtures", "minilm-docs-2500.f16.gz");
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var r = new BinaryReader(gz);
        int count = r.ReadInt32(), dim = r.ReadInt32();
        var vectors = new float[count][];
        for (int i = 0; i < count; i++)
        {
            vectors[i] = new float[dim];
            for (int j = 0; j < dim; j++)
            {
                vectors[i][j] = (float)r.ReadHalf();
            }
        }

        return vectors;
    }

    [Fact]
    public void Search_RealMiniLmEmbeddings_RecallAt10IsAtLeast099()
    {
        float[][] vectors = LoadMiniLmFixture();
        Assert.Equal(2500, vectors.Length);
        Assert.Equal(384, vectors[0].Length);
        const int queries = 200;
        using var exact = new FlatVectorIndex(384);
        using var quantized = new QuantizedVectorIndex(384);
        for (int i = queries; i < vectors.Length; i++)
        {
            exact.Add("s" + i, vectors[i]);
            quantized.Add("s" + i, vectors[i]);
        }

        int hits = 0;
        for (int q = 0; q < queries; q++)
        {
            var truth = exact.SearchAllScopes(vectors[q], 10).Select(r => r.Key).ToHashSet();
            var got = quantized.SearchAllScopes(vectors[q], 10);
            hits += got.Count(r => truth.Contains(r.Key));
        }

        double recall = hits / (double)(queries * 10);
        output.WriteLine($"recall@10 = {recall:F4}");
        Assert.True(recall >= 0.99, $"recall@10 was {recall:F4}");
    }

    [Fact]
    public void Search_Oversample1_ScoresAreExactFloatCosines()
    {
        var rng = new Random(9);
        using var index = new QuantizedVectorIndex(33, oversample: 1);
        var entries = new List<(string, float[])>();
        for (int i = 0; i < 500; i++)
        {
            float[] v = VectorTestData.Random(rng, 33);
            index.Add("k" + i, v, "s");
            entries.Add(("k" + i, v));
        }

        float[] q = VectorTestData.Random(rng, 33);
        var exact = VectorTestData.Reference(entries, q, int.MaxValue).ToDictionary(e => e.Key, e => e.Score);
        var results = index.Search(q, 10, "s");
        Assert.Equal(10, results.Count);
        Assert.All(results, r => Assert.Equal(exact[r.Key], r.Score, 2e-5));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(384)]
    public void Search_HighOversample_EqualsExactSearch(int dim)
    {
        // With oversample >= count every row is rescored, so the result must be exact for any tail length.
        var rng = new Random(dim);
        using var index = new QuantizedVectorIndex(dim, oversample: 100);
        var entries = new List<(string, float[])>();
        for (int i = 0; i < 97; i++)
        {
            float[] v = VectorTestData.Random(rng, dim);
            index.Add("k" + i, v);
            entries.Add(("k" + i, v));
        }

        index.Remove("k3");
        entries.RemoveAll(e => e.Item1 == "k3");
        float[] q = VectorTestData.Random(rng, dim);
        VectorTestData.AssertMatches(
            VectorTestData.Reference(entries, q, 10),
            index.SearchAllScopes(q, 10),
            VectorTestData.Reference(entries, q, int.MaxValue).ToDictionary(e => e.Key, e => e.Score));
    }

    [Theory]
    [InlineData(17)]
    [InlineData(384)]
    public void Search_EveryRowRescored_IsBitIdenticalToFlatIndex(int dim)
    {
        // Rescoring uses the flat index's kernel and scale, so keys, order and float bits all agree.
        var rng = new Random(dim + 1);
        using var quantized = new QuantizedVectorIndex(dim, oversample: 1000);
        using var flat = new FlatVectorIndex(dim);
        for (int i = 0; i < 300; i++)
        {
            float[] v = VectorTestData.Random(rng, dim);
            quantized.Add("k" + i, v, i % 2 == 0 ? "even" : null);
            flat.Add("k" + i, v, i % 2 == 0 ? "even" : null);
        }

        for (int t = 0; t < 5; t++)
        {
            float[] q = VectorTestData.Random(rng, dim);
            Assert.Equal(flat.SearchAllScopes(q, 10), quantized.SearchAllScopes(q, 10));
            Assert.Equal(flat.Search(q, 10, "even"), quantized.Search(q, 10, "even"));
        }
    }

    [Fact]
    public void Search_Scope_ReturnsOnlyThatScope()
    {
        using var index = new QuantizedVectorIndex(4);
        index.Add("a", [1f, 0f, 0f, 0f], "t1");
        index.Add("b", [1f, 0f, 0f, 0f], "t2");
        Assert.Equal(["a"], index.Search([1f, 0f, 0f, 0f], 5, "t1").Select(r => r.Key));
        Assert.Empty(index.Search([1f, 0f, 0f, 0f], 5, "t3"));
    }

    [Fact]
    public void Constructor_OversampleBelowOne_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new QuantizedVectorIndex(4, oversample: 0));
    }

    [Fact]
    public void Save_ThenLoad_RoundTrips()
    {
        var rng = new Random(1);
        using var index = new QuantizedVectorIndex(20);
        for (int i = 0; i < 50; i++)
        {
            index.Add("k" + i, VectorTestData.Random(rng, 20), i % 2 == 0 ? "even" : null);
        }

        using var ms = new MemoryStream();
        index.Save(ms);
        ms.Position = 0;
        using var loaded = QuantizedVectorIndex.Load(ms);
        float[] q = VectorTestData.Random(rng, 20);
        Assert.Equal(index.Search(q, 5, "even"), loaded.Search(q, 5, "even"));
        Assert.Equal(index.Count, loaded.Count);
    }
}
