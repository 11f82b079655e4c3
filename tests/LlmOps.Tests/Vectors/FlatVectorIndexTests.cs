using LlmOps.Vectors;

namespace LlmOps.Tests.Vectors;

public class FlatVectorIndexTests
{
    public static TheoryData<int, int> Shapes()
    {
        var data = new TheoryData<int, int>();
        foreach (int dim in new[] { 1, 3, 15, 16, 17, 384, 1536 })
        {
            foreach (int count in new[] { 0, 1, 9, 10, 11, 257 })
            {
                data.Add(dim, count);
            }
        }

        data.Add(384, 10_000);
        data.Add(17, 10_000);
        data.Add(1536, 2_000);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Search_RandomData_EqualsNaiveReference(int dim, int count)
    {
        const int k = 10;
        var rng = new Random((dim * 7919) + count);
        using var index = new FlatVectorIndex(dim);
        var entries = new List<(string, float[])>();
        var vectors = new Dictionary<string, float[]>();
        for (int i = 0; i < count; i++)
        {
            string key = "k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            float[] v = VectorTestData.Random(rng, dim);
            index.Add(key, v);
            entries.Add((key, v));
            vectors[key] = v;
        }

        for (int t = 0; t < 3; t++)
        {
            float[] q = VectorTestData.Random(rng, dim);
            var expected = VectorTestData.Reference(entries, q, k);
            var exact = VectorTestData.Reference(entries, q, int.MaxValue).ToDictionary(e => e.Key, e => e.Score);
            var actual = index.SearchAllScopes(q, k);
            VectorTestData.AssertMatches(expected, actual, exact);

            // Batched search gives bit-identical results to single searches, for any batch size.
            float[][] more = [q, .. Enumerable.Range(0, 5).Select(_ => VectorTestData.Random(rng, dim))];
            var batch = index.SearchBatchAllScopes(more.SelectMany(x => x).ToArray(), k);
            for (int b = 0; b < more.Length; b++)
            {
                Assert.Equal(index.SearchAllScopes(more[b], k), batch[b]);
            }
        }
    }

    [Fact]
    public void Search_KLargerThanCount_ReturnsEverything()
    {
        using var index = new FlatVectorIndex(2);
        index.Add("a", [1f, 0f]);
        index.Add("b", [0f, 1f]);
        var r = index.SearchAllScopes([1f, 0.1f], 100);
        Assert.Equal(["a", "b"], r.Select(x => x.Key));
    }

    [Fact]
    public void Search_Ties_AreOrderedByOrdinalKey()
    {
        using var index = new FlatVectorIndex(3);
        foreach (string key in new[] { "d", "b", "a", "c", "e" })
        {
            index.Add(key, [1f, 2f, 3f]);
        }

        var r = index.SearchAllScopes([1f, 2f, 3f], 3);
        Assert.Equal(["a", "b", "c"], r.Select(x => x.Key));
        Assert.All(r, x => Assert.Equal(1f, x.Score, 1e-6));
    }

    [Fact]
    public void Search_QueryNotNormalised_ReturnsCosine()
    {
        using var index = new FlatVectorIndex(2);
        index.Add("x", [10f, 0f]);
        var r = Assert.Single(index.SearchAllScopes([3f, 3f], 1));
        Assert.Equal(MathF.Sqrt(0.5f), r.Score, 1e-6);
    }

    [Fact]
    public void Add_DuplicateKey_ThrowsArgumentException()
    {
        using var index = new FlatVectorIndex(2);
        index.Add("a", [1f, 0f]);
        var ex = Assert.Throws<ArgumentException>(() => index.Add("a", [0f, 1f]));
        Assert.Contains("already exists", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void Add_WrongDimension_ThrowsArgumentException()
    {
        using var index = new FlatVectorIndex(3);
        var ex = Assert.Throws<ArgumentException>(() => index.Add("a", [1f, 0f]));
        Assert.Contains("3-dimensional", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_ZeroVector_ThrowsArgumentException()
    {
        using var index = new FlatVectorIndex(3);
        var ex = Assert.Throws<ArgumentException>(() => index.Add("a", new float[3]));
        Assert.Contains("zero vector", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void Add_NaN_ThrowsArgumentException()
    {
        using var index = new FlatVectorIndex(2);
        Assert.Throws<ArgumentException>(() => index.Add("a", [float.NaN, 1f]));
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void Search_InvalidK_ThrowsArgumentOutOfRange()
    {
        using var index = new FlatVectorIndex(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => index.SearchAllScopes([1f, 0f], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.SearchAllScopes([1f, 0f], -1));
    }

    [Fact]
    public void Search_WrongDimensionOrZeroQuery_ThrowsArgumentException()
    {
        using var index = new FlatVectorIndex(2);
        Assert.Throws<ArgumentException>(() => index.SearchAllScopes([1f, 0f, 0f], 1));
        Assert.Throws<ArgumentException>(() => index.SearchAllScopes([0f, 0f], 1));
    }

    [Fact]
    public void Constructor_NonPositiveDimension_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FlatVectorIndex(0));
    }

    [Fact]
    public void Upsert_ExistingKey_ReplacesVectorAndScope()
    {
        using var index = new FlatVectorIndex(2);
        Assert.True(index.Upsert("a", [1f, 0f], "t1"));
        Assert.False(index.Upsert("a", [0f, 1f], "t1"));
        Assert.Equal(1f, index.Search([0f, 1f], 1, "t1")[0].Score, 1e-6);

        Assert.False(index.Upsert("a", [0f, 1f], "t2"));
        Assert.Empty(index.Search([0f, 1f], 1, "t1"));
        var hit = Assert.Single(index.Search([0f, 1f], 1, "t2"));
        Assert.Equal(("a", "t2"), (hit.Key, hit.Scope));
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void Remove_Key_IsNeverReturnedAgain()
    {
        using var index = new FlatVectorIndex(2);
        index.Add("a", [1f, 0f]);
        index.Add("b", [0.9f, 0.1f]);
        Assert.True(index.Remove("a"));
        Assert.False(index.Remove("a"));
        Assert.False(index.ContainsKey("a"));
        Assert.Equal(["b"], index.SearchAllScopes([1f, 0f], 10).Select(r => r.Key));
    }

    [Fact]
    public void Remove_ManyKeys_CompactsAndKeepsSurvivorsSearchable()
    {
        using var index = new FlatVectorIndex(8);
        var rng = new Random(5);
        var vectors = new Dictionary<string, float[]>();
        for (int i = 0; i < 1000; i++)
        {
            vectors["k" + i] = VectorTestData.Random(rng, 8);
            index.Add("k" + i, vectors["k" + i]);
        }

        for (int i = 0; i < 1000; i += 3)
        {
            Assert.True(index.Remove("k" + i));
            vectors.Remove("k" + i);
        }

        Assert.Equal(vectors.Count, index.Count);
        Assert.True(index.Partitions[0].RowCount < 1000, "compaction should have reclaimed tombstoned rows");
        var buffer = new float[8];
        foreach (var (key, v) in vectors)
        {
            Assert.True(index.TryGetVector(key, buffer));
            var top = index.SearchAllScopes(v, 1)[0];
            Assert.Equal(1f, top.Score, 1e-5);
        }

        var q = VectorTestData.Random(rng, 8);
        var entries = vectors.Select(kv => (kv.Key, kv.Value)).ToList();
        VectorTestData.AssertMatches(
            VectorTestData.Reference(entries, q, 10),
            index.SearchAllScopes(q, 10),
            VectorTestData.Reference(entries, q, int.MaxValue).ToDictionary(e => e.Key, e => e.Score));
    }

    [Fact]
    public void Search_Scope_ReturnsOnlyThatScope()
    {
        using var index = new FlatVectorIndex(2);
        index.Add("t1-a", [1f, 0f], "tenant1");
        index.Add("t2-a", [1f, 0f], "tenant2");
        index.Add("none", [1f, 0f]);

        Assert.Equal(["t1-a"], index.Search([1f, 0f], 10, "tenant1").Select(r => r.Key));
        Assert.Equal(["t2-a"], index.Search([1f, 0f], 10, "tenant2").Select(r => r.Key));
        Assert.Equal(["none"], index.Search([1f, 0f], 10, null).Select(r => r.Key));
        Assert.Empty(index.Search([1f, 0f], 10, "unknown"));
        Assert.Equal(3, index.SearchAllScopes([1f, 0f], 10).Count);
        Assert.Equal(1, index.CountInScope("tenant1"));
    }

    [Fact]
    public void Search_ScopeWithWorseMatchesThanOtherScopes_StillReturnsKFromScope()
    {
        // Filter-before-similarity: a post-filter over a global top-k would return nothing here.
        using var index = new FlatVectorIndex(2);
        for (int i = 0; i < 100; i++)
        {
            index.Add("other" + i, [1f, 0f], "other");
        }

        for (int i = 0; i < 5; i++)
        {
            index.Add("mine" + i, [0f, 1f], "mine");
        }

        var r = index.Search([1f, 0f], 5, "mine");
        Assert.Equal(5, r.Count);
        Assert.All(r, x => Assert.Equal("mine", x.Scope));
    }

    [Fact]
    public async Task Search_ConcurrentWritesFromManyScopes_NeverCrossesScopes()
    {
        using var index = new FlatVectorIndex(16);
        const int scopes = 8;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var tasks = new List<Task>();
        for (int s = 0; s < scopes; s++)
        {
            int scope = s;
            tasks.Add(Task.Run(() =>
            {
                var rng = new Random(scope);
                int i = 0;
                while (!cts.IsCancellationRequested)
                {
                    string key = $"s{scope}-{i++ % 500}";
                    if (rng.Next(4) == 0)
                    {
                        index.Remove(key);
                    }
                    else
                    {
                        index.Upsert(key, VectorTestData.Random(rng, 16), "scope" + scope);
                    }
                }
            }));
            tasks.Add(Task.Run(() =>
            {
                var rng = new Random(100 + scope);
                string prefix = $"s{scope}-";
                while (!cts.IsCancellationRequested)
                {
                    foreach (var r in index.Search(VectorTestData.Random(rng, 16), 20, "scope" + scope))
                    {
                        if (!r.Key.StartsWith(prefix, StringComparison.Ordinal) || r.Scope != "scope" + scope)
                        {
                            errors.Enqueue($"scope{scope} search returned {r.Key} ({r.Scope})");
                        }
                    }
                }
            }));
        }

        await Task.WhenAll(tasks);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Search_ConcurrentReadersAndWriters_SeeOnlyWholeVectors()
    {
        // Each key's vector is e_j scaled; a torn vector would mix two basis directions and score below 1.
        const int dim = 64;
        using var index = new FlatVectorIndex(dim);
        for (int i = 0; i < 200; i++)
        {
            index.Add("k" + i, Basis(dim, i % dim));
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            var rng = new Random(w);
            while (!cts.IsCancellationRequested)
            {
                int i = rng.Next(400);
                if (rng.Next(3) == 0)
                {
                    index.Remove("k" + i);
                }
                else
                {
                    index.Upsert("k" + i, Basis(dim, rng.Next(dim)));
                }
            }
        }));
        var readers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            var rng = new Random(50 + w);
            var buffer = new float[dim];
            while (!cts.IsCancellationRequested)
            {
                int j = rng.Next(dim);
                var results = index.SearchAllScopes(Basis(dim, j), 5);
                for (int i = 1; i < results.Count; i++)
                {
                    if (results[i].Score > results[i - 1].Score)
                    {
                        errors.Enqueue("unsorted results");
                    }
                }

                foreach (var r in results)
                {
                    if (Math.Abs(r.Score - 1f) > 1e-5 && Math.Abs(r.Score) > 1e-5)
                    {
                        errors.Enqueue($"torn vector: {r.Key} scored {r.Score}");
                    }
                }

                int count = index.Count;
                if (count < 0 || count > 400)
                {
                    errors.Enqueue($"count {count} out of range");
                }
            }
        }));

        await Task.WhenAll(writers.Concat(readers));
        Assert.Empty(errors);
    }

    [Fact]
    public void Search_Parallel_EqualsSingleThreaded()
    {
        var rng = new Random(11);
        // Threshold 0 splits even this 7.7 MB index, whatever the measured default is.
        using var index = new FlatVectorIndex(384) { MaxDegreeOfParallelism = 4, ParallelThresholdBytes = 0 };
        for (int i = 0; i < 5000; i++)
        {
            index.Add("k" + i, VectorTestData.Random(rng, 384), i % 2 == 0 ? null : "odd");
        }

        for (int t = 0; t < 3; t++)
        {
            float[] q = VectorTestData.Random(rng, 384);
            index.MaxDegreeOfParallelism = 4;
            var parallel = index.SearchAllScopes(q, 25);
            index.MaxDegreeOfParallelism = 1;
            Assert.Equal(index.SearchAllScopes(q, 25), parallel);
        }
    }

    [Fact]
    public void MaxDegreeOfParallelism_NonPositive_Throws()
    {
        using var index = new FlatVectorIndex(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => index.MaxDegreeOfParallelism = 0);
    }

    [Fact]
    public void Search_SteadyState_AllocatesOnlyTheResult()
    {
        var rng = new Random(12);
        using var index = new FlatVectorIndex(384) { MaxDegreeOfParallelism = 1 };
        for (int i = 0; i < 500; i++)
        {
            index.Add("k" + i, VectorTestData.Random(rng, 384), "s");
        }

        float[] q = VectorTestData.Random(rng, 384);
        var result = index.Search(q, 10, "s");
        long allocated = long.MaxValue;
        for (int run = 0; run < 5; run++)
        {
            // The least of a few runs, as in Search_BelowParallelThreshold_StaysOnCallingThreadAndAllocatesOnlyTheResult.
            long before = GC.GetAllocatedBytesForCurrentThread();
            index.Search(q, 10, "s");
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        // The result array: 10 entries of (string, float, string) plus the array header.
        Assert.Equal(10, result.Count);
        Assert.True(allocated <= 24 + (10 * 24), $"search allocated {allocated} bytes");
    }

    [Fact]
    public void Remove_LastEntryOfScope_FreesTheScope()
    {
        using var index = new FlatVectorIndex(2);
        index.Add("a1", [1f, 0f], "a");
        index.Add("a2", [0f, 1f], "a");
        index.Add("b1", [1f, 0f], "b");

        Assert.True(index.Remove("a1"));
        Assert.Equal(2, index.Partitions.Count);
        Assert.True(index.Remove("a2"));

        Assert.Single(index.Partitions);
        Assert.Equal(0, index.CountInScope("a"));
        Assert.Empty(index.Search([1f, 0f], 5, "a"));
        Assert.Equal(["b1"], index.SearchAllScopes([1f, 0f], 5).Select(r => r.Key));

        // The scope comes back as new when written again.
        index.Add("a3", [0f, 1f], "a");
        Assert.Equal(["a3"], index.Search([1f, 0f], 5, "a").Select(r => r.Key));
    }

    [Fact]
    public void Remove_EmptyingFirstScope_MovedScopeKeepsKeysAndSearches()
    {
        // Freeing scope "a" (slot 0) moves the last scope "c" into its slot; its keys must still resolve.
        using var index = new FlatVectorIndex(4);
        var rng = new Random(21);
        var model = new Dictionary<string, (float[] Vector, string? Scope)>();
        foreach (string? scope in new[] { "a", "b", null, "c" })
        {
            for (int i = 0; i < 20; i++)
            {
                string key = (scope ?? "none") + i;
                model[key] = (VectorTestData.Random(rng, 4), scope);
                index.Add(key, model[key].Vector, scope);
            }
        }

        for (int i = 0; i < 20; i++)
        {
            index.Remove("a" + i);
            model.Remove("a" + i);
        }

        Assert.Equal(3, index.Partitions.Count);
        Assert.Equal(Enumerable.Range(0, 3), index.Partitions.Select(p => p.Index));
        var buffer = new float[4];
        Assert.True(index.TryGetVector("c7", buffer));
        float norm = MathF.Sqrt(model["c7"].Vector.Sum(x => x * x));
        Assert.Equal(model["c7"].Vector.Select(x => x / norm), buffer, (x, y) => Math.Abs(x - y) < 1e-6f);

        Assert.True(index.Remove("c3"));
        model.Remove("c3");
        var moved = VectorTestData.Random(rng, 4);
        Assert.False(index.Upsert("c4", moved, "c"));
        model["c4"] = (moved, "c");
        Assert.False(index.Upsert("none5", moved, "c"));
        model["none5"] = (moved, "c");

        float[] q = VectorTestData.Random(rng, 4);
        foreach (string? scope in new[] { "b", null, "c" })
        {
            var entries = model.Where(kv => kv.Value.Scope == scope).Select(kv => (kv.Key, kv.Value.Vector)).ToList();
            Assert.Equal(entries.Count, index.CountInScope(scope));
            VectorTestData.AssertMatches(
                VectorTestData.Reference(entries, q, 10),
                index.Search(q, 10, scope),
                VectorTestData.Reference(entries, q, int.MaxValue).ToDictionary(e => e.Key, e => e.Score));
        }
    }

    [Fact]
    public void Upsert_LastEntryMovesToAnotherScope_FreesTheOldScope()
    {
        using var index = new FlatVectorIndex(2);
        index.Add("x", [1f, 0f], "old");
        index.Add("y", [0f, 1f], "other");

        index.Upsert("x", [1f, 0f], "new");

        Assert.Equal(2, index.Partitions.Count);
        Assert.Empty(index.Search([1f, 0f], 5, "old"));
        Assert.Equal("new", Assert.Single(index.SearchAllScopes([1f, 0f], 1)).Scope);
    }

    [Fact]
    public void ScopeChurn_ManyScopes_KeepsOnlyNonEmptyScopesAndExactResults()
    {
        using var index = new FlatVectorIndex(8);
        var rng = new Random(22);
        var model = new Dictionary<string, (float[] Vector, string Scope)>();
        for (int step = 0; step < 20_000; step++)
        {
            string scope = "s" + rng.Next(300);
            string key = scope + "/" + rng.Next(6);
            if (model.Remove(key))
            {
                Assert.True(index.Remove(key));
            }
            else
            {
                var v = VectorTestData.Random(rng, 8);
                index.Add(key, v, scope);
                model[key] = (v, scope);
            }
        }

        var liveScopes = model.Values.Select(v => v.Scope).Distinct().ToList();
        Assert.Equal(liveScopes.Count, index.Partitions.Count);
        Assert.Equal(model.Count, index.Count);
        float[] q = VectorTestData.Random(rng, 8);
        foreach (string scope in liveScopes.Take(40))
        {
            var entries = model.Where(kv => kv.Value.Scope == scope).Select(kv => (kv.Key, kv.Value.Vector)).ToList();
            Assert.Equal(VectorTestData.Reference(entries, q, 3).Select(e => e.Key), index.Search(q, 3, scope).Select(r => r.Key));
        }
    }

    [Fact]
    public void Remove_ThousandsOfScopes_ShrinksTheSlotArray()
    {
        using var index = new FlatVectorIndex(2);
        for (int i = 0; i < 5000; i++)
        {
            index.Add("k" + i, [1f, i], "s" + i);
        }

        Assert.True(index.PartitionArray.Length >= 5000);
        for (int i = 0; i < 4990; i++)
        {
            index.Remove("k" + i);
        }

        Assert.Equal(10, index.PartitionCount);
        Assert.True(index.PartitionArray.Length <= 64, $"{index.PartitionArray.Length} slots kept for 10 scopes");
        Assert.Equal("k4995", Assert.Single(index.Search([1f, 4995f], 1, "s4995")).Key);
        Assert.Equal(10, index.SearchAllScopes([1f, 1f], 100).Count);
    }

    [Fact]
    public void Remove_MostOfALargeScope_GivesMemoryBack()
    {
        using var index = new FlatVectorIndex(16);
        var rng = new Random(23);
        for (int i = 0; i < 2000; i++)
        {
            index.Add("k" + i, VectorTestData.Random(rng, 16));
        }

        for (int i = 0; i < 1950; i++)
        {
            index.Remove("k" + i);
        }

        VectorPartition p = Assert.Single(index.Partitions);
        Assert.True(p.Keys.Length <= 256, $"capacity stayed at {p.Keys.Length} rows for 50 live entries");
        Assert.Equal(p.Keys.Length * 16, p.Data.Length);
        Assert.Equal(Enumerable.Range(1950, 50).Select(i => "k" + i).Order(StringComparer.Ordinal), index.SearchAllScopes(VectorTestData.Random(rng, 16), 100).Select(r => r.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Search_ParallelChunksCrossingManyScopes_EqualsSingleThreaded()
    {
        var rng = new Random(24);
        using var index = new FlatVectorIndex(17) { ParallelThresholdBytes = 0 };
        int[] sizes = [1, 3, 0, 250, 7, 64, 2, 500];
        for (int s = 0; s < sizes.Length; s++)
        {
            for (int i = 0; i < sizes[s]; i++)
            {
                index.Add($"s{s}k{i}", VectorTestData.Random(rng, 17), "s" + s);
            }
        }

        index.Remove("s0k0"); // frees s0: the last scope moves into slot 0
        foreach (int k in new[] { 1, 10, 100, 2000 })
        {
            float[] q = VectorTestData.Random(rng, 17);
            index.MaxDegreeOfParallelism = 3;
            var parallel = index.SearchAllScopes(q, k);
            index.MaxDegreeOfParallelism = 1;
            Assert.Equal(index.SearchAllScopes(q, k), parallel);
        }
    }

    [Fact]
    public void Search_BelowParallelThreshold_StaysOnCallingThreadAndAllocatesOnlyTheResult()
    {
        // A cache-sized index (here just under the split threshold) gains nothing from a split: the fork/join
        // costs more than the scan. Parallel.For would allocate well over 1 KB.
        int rows = (int)(FlatVectorIndex.DefaultParallelThresholdBytes / (384 * sizeof(float))) - 16;
        var rng = new Random(25);
        using var index = new FlatVectorIndex(384) { MaxDegreeOfParallelism = 2 };
        float[] v = VectorTestData.Random(rng, 384);
        for (int i = 0; i < rows; i++)
        {
            v[i % 384] += 0.5f;
            index.Add("k" + i, v);
        }

        float[] q = VectorTestData.Random(rng, 384);
        index.SearchAllScopes(q, 10);

        // The least of a few runs: the runtime itself (tiered JIT call counting, a concurrently running test's
        // class constructor on this thread) can occasionally charge a one-off allocation to a single call.
        long allocated = long.MaxValue;
        for (int run = 0; run < 5; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            index.SearchAllScopes(q, 10);
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(allocated <= 24 + (10 * 24), $"search allocated {allocated} bytes");
    }

    private static float[] Basis(int dim, int j)
    {
        var v = new float[dim];
        v[j] = 3f;
        return v;
    }
}
