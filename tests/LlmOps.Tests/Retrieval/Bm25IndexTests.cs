using LlmOps.Retrieval;

namespace LlmOps.Tests.Retrieval;

public sealed class Bm25IndexTests
{
    private static Bm25Index ThreeDocuments(string? scope = null)
    {
        var index = new Bm25Index(new Bm25Options { K1 = 1.2f, B = 0.75f });
        index.Upsert("d1", "cat cat dog", scope);
        index.Upsert("d2", "dog bird", scope);
        index.Upsert("d3", "fish", scope);
        return index;
    }

    // Hand-computed: N = 3, avgdl = 2, idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5)),
    // score = idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)), k1 = 1.2, b = 0.75.
    // cat in d1: idf = ln(1 + 2.5/1.5) = 0.980829; tf = 2, dl = 3: 0.980829 * 4.4 / (2 + 1.65) = 1.182370.
    // dog in d1: idf = ln(1 + 1.5/2.5) = 0.470004; tf = 1, dl = 3: 0.470004 * 2.2 / 2.65 = 0.390192.
    // dog in d2: tf = 1, dl = 2 (norm 1.2): 0.470004 * 2.2 / 2.2 = 0.470004.
    [Fact]
    public void Search_SingleTerm_MatchesHandComputedScore()
    {
        using Bm25Index index = ThreeDocuments();
        IReadOnlyList<Bm25SearchResult> hits = index.Search("cat", 10, scope: null);
        Bm25SearchResult hit = Assert.Single(hits);
        Assert.Equal("d1", hit.Key);
        Assert.Equal(1.1823695, hit.Score, 5);
    }

    [Fact]
    public void Search_TwoTerms_SumsPerTermScoresAndRanks()
    {
        using Bm25Index index = ThreeDocuments();
        IReadOnlyList<Bm25SearchResult> hits = index.Search("cat dog", 10, scope: null);
        Assert.Equal(["d1", "d2"], hits.Select(h => h.Key));
        Assert.Equal(1.5725613, hits[0].Score, 5);
        Assert.Equal(0.4700036, hits[1].Score, 5);
    }

    [Fact]
    public void Search_RepeatedQueryTerm_CountsTwice()
    {
        using Bm25Index index = ThreeDocuments();
        Assert.Equal(2 * 0.4700036, index.Search("dog dog", 10, null).Single(h => h.Key == "d2").Score, 5);
    }

    [Fact]
    public void Search_UsesAnalyzer_StemsAndDropsStopwords()
    {
        using var index = new Bm25Index();
        index.Upsert("a", "The runners were running quickly", null);
        index.Upsert("b", "A study of the weather", null);
        Assert.Equal("a", index.Search("runner runs", 5, null).Single().Key);
        Assert.Empty(index.Search("the of a", 5, null));
    }

    [Fact]
    public void DocumentFrequency_CountsLiveTextsOfTheScopeOnly()
    {
        using Bm25Index index = ThreeDocuments();
        index.Upsert("e1", "dog dog dog", "other");

        Assert.Equal(2, index.DocumentFrequency("dog", null));
        Assert.Equal(1, index.DocumentFrequency("dog", "other"));
        Assert.Equal(0, index.DocumentFrequency("unicorn", null));
        Assert.Equal(0, index.DocumentFrequency("dog", "missing"));
        index.Remove("d2", null);
        Assert.Equal(1, index.DocumentFrequency("dog", null));
    }

    [Fact]
    public void Remove_UpdatesStatistics()
    {
        using Bm25Index index = ThreeDocuments();
        Assert.True(index.Remove("d3", null));
        Assert.False(index.Remove("d3", null));

        // N = 2, avgdl = 2.5; dog: df = 2, idf = ln(1 + 0.5/2.5) = 0.182322; d2 (dl 2): norm = 1.2 * (0.25 + 0.6) = 1.02;
        // 0.182322 * 2.2 / 2.02 = 0.198570.
        Assert.Equal(0.1985687, index.Search("dog", 10, null).Single(h => h.Key == "d2").Score, 5);
        Assert.Equal(2, index.Count);
    }

    [Fact]
    public void Upsert_SameKey_ReplacesText()
    {
        using Bm25Index index = ThreeDocuments();
        Assert.True(index.Upsert("d3", "cat", null));
        Assert.Equal(3, index.Count);
        Assert.Empty(index.Search("fish", 10, null));
        Assert.Equal(["d3", "d1"], index.Search("cat", 10, null).Select(h => h.Key));
    }

    [Fact]
    public void Search_ManyRemovals_CompactsWithoutChangingResults()
    {
        using var index = new Bm25Index();
        for (int i = 0; i < 5000; i++)
        {
            index.Upsert($"k{i}", i % 2 == 0 ? "apple banana" : "apple cherry", null);
        }

        for (int i = 0; i < 4990; i++)
        {
            index.Remove($"k{i}", null);
        }

        IReadOnlyList<Bm25SearchResult> hits = index.Search("banana", 100, null);
        Assert.Equal(["k4990", "k4992", "k4994", "k4996", "k4998"], hits.Select(h => h.Key));
    }

    [Fact]
    public void Search_TopK_ReturnsBestInOrderWithTiesByKey()
    {
        using var index = new Bm25Index();
        index.Upsert("b", "apple", null);
        index.Upsert("a", "apple", null);
        index.Upsert("c", "apple apple apple", null);
        index.Upsert("d", "pear", null);
        Assert.Equal(["c", "a"], index.Search("apple", 2, null).Select(h => h.Key));
    }

    [Fact]
    public void Search_IdenticalDocumentsInTwoScopes_NeverCross()
    {
        using var index = new Bm25Index();
        index.Upsert("doc", "quarterly revenue report for the tenant", "A");
        index.Upsert("doc", "quarterly revenue report for the tenant", "B");
        index.Upsert("only-a", "revenue", "A");

        Assert.Equal(["only-a", "doc"], index.Search("revenue", 10, "A").Select(h => h.Key));
        Assert.Equal(["doc"], index.Search("revenue", 10, "B").Select(h => h.Key));
        Assert.Empty(index.Search("revenue", 10, null));
        Assert.Empty(index.Search("revenue", 10, "C"));

        index.Remove("doc", "A");
        Assert.Equal(["doc"], index.Search("revenue", 10, "B").Select(h => h.Key));
        Assert.Equal(1, index.CountInScope("A"));
        Assert.Equal(1, index.CountInScope("B"));
    }

    [Fact]
    public void Search_ScopeStatistics_AreIndependent()
    {
        // The same documents in B must score as if A did not exist.
        using Bm25Index alone = ThreeDocuments("B");
        using Bm25Index shared = ThreeDocuments("B");
        for (int i = 0; i < 50; i++)
        {
            shared.Upsert($"x{i}", "cat cat cat", "A");
        }

        Assert.Equal(alone.Search("cat dog", 10, "B"), shared.Search("cat dog", 10, "B"));
    }

    [Fact]
    public async Task Search_ConcurrentWithWrites_NeverThrows()
    {
        using var index = new Bm25Index();
        for (int i = 0; i < 200; i++)
        {
            index.Upsert($"k{i}", $"common term{i % 10}", null);
        }

        Task writer = Task.Run(() =>
        {
            for (int i = 0; i < 2000; i++)
            {
                index.Upsert($"w{i % 50}", $"common term{i % 7}", null);
                index.Remove($"k{i % 200}", null);
            }
        });
        Task reader = Task.Run(() =>
        {
            for (int i = 0; i < 2000; i++)
            {
                Assert.All(index.Search("common term3", 10, null), h => Assert.True(h.Score > 0));
            }
        });
        await Task.WhenAll(writer, reader);
    }

    [Fact]
    public void Arguments_Invalid_Throw()
    {
        using var index = new Bm25Index();
        Assert.Throws<ArgumentNullException>(() => index.Search(null!, 1, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search("x", 0, null));
        Assert.Throws<ArgumentException>(() => index.Upsert("", "x", null));
        Assert.Throws<ArgumentNullException>(() => index.Upsert("k", null!, null));
        var ex = Assert.Throws<ArgumentException>(() => new Bm25Index(new Bm25Options { K1 = float.NaN, B = 1.5f }));
        Assert.Contains("Bm25Options.K1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Bm25Options.B must be in [0, 1]; was 1.5.", ex.Message, StringComparison.Ordinal);
    }
}
