using System.Reflection;
using LlmOps.Vectors;

namespace LlmOps.Tests.Vectors;

/// <summary>The surface both index types share through <see cref="VectorIndex"/>: explicit scopes, storage, persistence.</summary>
public class VectorIndexTests
{
    public static TheoryData<string> Kinds() => new() { "flat", "quantized" };

    [Fact]
    public void Search_WithoutScope_IsACompileErrorNamingTheFix()
    {
        // Search(q, k) used to read every scope; it must not compile any more, and the message must name the two calls
        // that replace it. (The compiler turns an Obsolete attribute with IsError into error CS0619.)
        MethodInfo old = typeof(VectorIndex).GetMethod(nameof(VectorIndex.Search), [typeof(ReadOnlySpan<float>), typeof(int)])!;
        var obsolete = old.GetCustomAttribute<ObsoleteAttribute>();
        Assert.NotNull(obsolete);
        Assert.True(obsolete.IsError);
        Assert.Contains("SearchAllScopes(query, k)", obsolete.Message, StringComparison.Ordinal);
        Assert.Contains("Search(query, k, scope)", obsolete.Message, StringComparison.Ordinal);

        // The scoped overload has no default for the scope, so leaving it out cannot bind to it.
        MethodInfo scoped = typeof(VectorIndex).GetMethod(nameof(VectorIndex.Search), [typeof(ReadOnlySpan<float>), typeof(int), typeof(string)])!;
        Assert.False(scoped.GetParameters()[2].HasDefaultValue);
        MethodInfo batch = typeof(FlatVectorIndex).GetMethod(nameof(FlatVectorIndex.SearchBatch), [typeof(ReadOnlySpan<float>), typeof(int), typeof(string)])!;
        Assert.False(batch.GetParameters()[2].HasDefaultValue);
        Assert.Null(typeof(FlatVectorIndex).GetMethod(nameof(FlatVectorIndex.SearchBatch), [typeof(ReadOnlySpan<float>), typeof(int)]));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void SearchAllScopes_ReadsEveryScope_ScopedSearchReadsOne(string kind)
    {
        using VectorIndex index = Create(kind, 3);
        index.Add("t1", [1f, 0f, 0f], "tenant1");
        index.Add("t2", [1f, 0.1f, 0f], "tenant2");
        index.Add("none", [1f, 0.2f, 0f]);

        Assert.Equal(["t1", "t2", "none"], index.SearchAllScopes([1f, 0f, 0f], 10).Select(r => r.Key));
        Assert.Equal(["t2"], index.Search([1f, 0f, 0f], 10, "tenant2").Select(r => r.Key));
        Assert.Equal(["none"], index.Search([1f, 0f, 0f], 10, null).Select(r => r.Key));
        Assert.Empty(index.Search([1f, 0f, 0f], 10, "tenant3"));
    }

    [Fact]
    public void SearchBatch_Scope_ReadsOnlyThatScope_AllScopesReadsEvery()
    {
        using var index = new FlatVectorIndex(2);
        index.Add("a", [1f, 0f], "s1");
        index.Add("b", [1f, 0f], "s2");
        float[] queries = [1f, 0f, 0f, 1f];

        var scoped = index.SearchBatch(queries, 5, "s1");
        Assert.All(scoped, r => Assert.Equal(["a"], r.Select(x => x.Key)));
        var all = index.SearchBatchAllScopes(queries, 5);
        Assert.All(all, r => Assert.Equal(2, r.Count));
        Assert.All(index.SearchBatch(queries, 5, "missing"), Assert.Empty);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void StorageMembers_BehaveAlikeForBothKinds(string kind)
    {
        using VectorIndex index = Create(kind, 4);
        index.Add("a", [2f, 0f, 0f, 0f], "s");
        Assert.True(index.Upsert("b", [0f, 1f, 0f, 0f], "s"));
        Assert.False(index.Upsert("b", [0f, 0f, 1f, 0f], null));
        Assert.True(index.ContainsKey("a"));
        Assert.Equal(1, index.CountInScope("s"));
        Assert.Equal(1, index.CountInScope(null));
        var v = new float[4];
        Assert.True(index.TryGetVector("a", v));
        Assert.Equal([1f, 0f, 0f, 0f], v);
        Assert.Throws<ArgumentException>(() => index.Add("a", [1f, 0f, 0f, 0f]));
        Assert.True(index.Remove("a"));
        index.Compact();
        Assert.Equal(1, index.Count);
        index.Clear();
        Assert.Equal(0, index.Count);
        Assert.Empty(index.SearchAllScopes([1f, 0f, 0f, 0f], 3));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ReplaceFrom_SavedOtherKind_TakesItsEntries(string kind)
    {
        // Both kinds write the same format, so either can load what the other saved.
        using VectorIndex source = Create(kind == "flat" ? "quantized" : "flat", 3);
        source.Add("x", [0f, 1f, 0f], "s");
        using var ms = new MemoryStream();
        source.Save(ms);
        ms.Position = 0;

        using VectorIndex target = Create(kind, 3);
        target.Add("old", [1f, 0f, 0f]);
        target.ReplaceFrom(ms);
        Assert.False(target.ContainsKey("old"));
        Assert.Equal(["x"], target.Search([0f, 1f, 0f], 5, "s").Select(r => r.Key));
    }

    [Fact]
    public void QuantizedLoadFromFile_RoundTripsAndRejectsBadOversample()
    {
        string path = Path.Combine(Path.GetTempPath(), "llmops-q-" + Guid.NewGuid().ToString("N") + ".bin");
        try
        {
            using (var index = new QuantizedVectorIndex(3))
            {
                index.Add("k", [0f, 0f, 1f], "s");
                index.SaveToFile(path);
            }

            using var loaded = QuantizedVectorIndex.LoadFromFile(path, oversample: 2);
            Assert.Equal(2, loaded.Oversample);
            Assert.Equal("k", Assert.Single(loaded.Search([0f, 0f, 1f], 1, "s")).Key);
            Assert.Throws<ArgumentOutOfRangeException>(() => QuantizedVectorIndex.LoadFromFile(path, oversample: 0));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static VectorIndex Create(string kind, int dimensions) =>
        kind == "flat" ? new FlatVectorIndex(dimensions) : new QuantizedVectorIndex(dimensions);
}
