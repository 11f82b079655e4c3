using LlmOps.Retrieval;

namespace LlmOps.Tests.Retrieval;

public sealed class Bm25IndexPersistenceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmops-bm25-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Bm25Index Sample()
    {
        var index = new Bm25Index();
        index.Upsert("a1", "Retrieval augmented generation grounds answers in documents", null);
        index.Upsert("a2", "Budgets stop overspending on tokens", null);
        index.Upsert("b1", "Retrieval augmented generation grounds answers in documents", "tenant-b");
        index.Upsert("gone", "documents to delete", "tenant-b");
        index.Remove("gone", "tenant-b");
        return index;
    }

    [Fact]
    public void SaveToFile_LoadFromFile_RoundTripsScoresAndScopes()
    {
        using Bm25Index original = Sample();
        string path = Path.Combine(_dir, "index.bm25");
        original.SaveToFile(path);
        using Bm25Index loaded = Bm25Index.LoadFromFile(path);

        Assert.Equal(original.Count, loaded.Count);
        foreach (string? scope in new[] { null, "tenant-b" })
        {
            Assert.Equal(original.Search("grounded documents", 10, scope), loaded.Search("grounded documents", 10, scope));
        }

        Assert.Empty(loaded.Search("delete", 10, "tenant-b"));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void ReplaceFromFile_CorruptedByte_ThrowsNamingFileAndKeepsIndex()
    {
        string path = Path.Combine(_dir, "index.bm25");
        using (Bm25Index saved = Sample())
        {
            saved.SaveToFile(path);
        }

        byte[] bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x20;
        File.WriteAllBytes(path, bytes);

        using var index = new Bm25Index();
        index.Upsert("keep", "still here", null);
        var ex = Assert.Throws<RetrievalIndexFormatException>(() => index.ReplaceFromFile(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Equal(path, ex.FilePath);
        Assert.Matches("corrupted|checksum", ex.Message);
        Assert.Equal("keep", index.Search("still", 1, null).Single().Key);
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void LoadFromFile_Truncated_ThrowsNamingFile()
    {
        string path = Path.Combine(_dir, "index.bm25");
        using (Bm25Index saved = Sample())
        {
            saved.SaveToFile(path);
        }

        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 20)]);
        var ex = Assert.Throws<RetrievalIndexFormatException>(() => Bm25Index.LoadFromFile(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WrongMagicOrVersion_Throws()
    {
        using var ms = new MemoryStream("NOTANIDXxxxxxxxxxxxxxx"u8.ToArray());
        Assert.Contains("LLMOPSBM", Assert.Throws<RetrievalIndexFormatException>(() => Bm25Index.Load(ms)).Message, StringComparison.Ordinal);

        using Bm25Index sample = Sample();
        using var saved = new MemoryStream();
        sample.Save(saved);
        byte[] bytes = saved.ToArray();
        bytes[8] = 99;
        Assert.Contains("version 99", Assert.Throws<RetrievalIndexFormatException>(() => Bm25Index.Load(new MemoryStream(bytes))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OtherAnalyzer_Throws()
    {
        using Bm25Index sample = Sample();
        using var saved = new MemoryStream();
        sample.Save(saved);
        saved.Position = 0;
        var ex = Assert.Throws<RetrievalIndexFormatException>(
            () => Bm25Index.Load(saved, new Bm25Options { Analyzer = new EnglishTextAnalyzer(stem: false) }));
        Assert.Contains("analyzer", ex.Message, StringComparison.Ordinal);
    }
}
