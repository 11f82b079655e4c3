using LlmOps.IO;
using LlmOps.Vectors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace LlmOps.Tests.Vectors;

public class FlatVectorIndexPersistenceTests
{
    private static FlatVectorIndex Build(int dim = 17, int count = 300)
    {
        var index = new FlatVectorIndex(dim);
        var rng = new Random(42);
        for (int i = 0; i < count; i++)
        {
            index.Add("key-" + i + "-é", VectorTestData.Random(rng, dim), i % 3 == 0 ? null : "tenant" + (i % 3));
        }

        index.Remove("key-5-é");
        return index;
    }

    private static byte[] Saved(FlatVectorIndex index)
    {
        using var ms = new MemoryStream();
        index.Save(ms);
        return ms.ToArray();
    }

    [Fact]
    public void Save_ThenLoad_RoundTripsKeysScopesAndResults()
    {
        using var original = Build();
        using var loaded = FlatVectorIndex.Load(new MemoryStream(Saved(original)));
        Assert.Equal(original.Count, loaded.Count);
        Assert.Equal(original.Dimensions, loaded.Dimensions);
        var rng = new Random(7);
        for (int t = 0; t < 5; t++)
        {
            float[] q = VectorTestData.Random(rng, 17);
            Assert.Equal(original.SearchAllScopes(q, 10), loaded.SearchAllScopes(q, 10));
            Assert.Equal(original.Search(q, 10, "tenant1"), loaded.Search(q, 10, "tenant1"));
            Assert.Equal(original.Search(q, 10, null), loaded.Search(q, 10, null));
        }

        Assert.False(loaded.ContainsKey("key-5-é"));
    }

    [Fact]
    public void Load_Truncated_ThrowsFormatExceptionSayingTruncated()
    {
        using var original = Build();
        byte[] data = Saved(original);
        foreach (int length in new[] { 0, 4, 12, 20, data.Length / 2, data.Length - 1 })
        {
            var ex = Assert.Throws<VectorIndexFormatException>(() => FlatVectorIndex.Load(new MemoryStream(data[..length])));
            Assert.Contains(length < 8 ? "truncated" : "truncated", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Load_AnySingleBitFlipped_ThrowsFormatException()
    {
        using var original = Build(dim: 3, count: 20);
        byte[] data = Saved(original);
        var rng = new Random(3);
        for (int t = 0; t < 200; t++)
        {
            byte[] copy = (byte[])data.Clone();
            int bit = rng.Next(copy.Length * 8);
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Throws<VectorIndexFormatException>(() => FlatVectorIndex.Load(new MemoryStream(copy)));
        }
    }

    [Fact]
    public void Load_WrongVersion_ThrowsFormatExceptionNamingVersion()
    {
        using var original = Build();
        byte[] data = Saved(original);
        data[8] = 99;
        var ex = Assert.Throws<VectorIndexFormatException>(() => FlatVectorIndex.Load(new MemoryStream(data)));
        Assert.Contains("version 99", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NotAnIndex_ThrowsFormatException()
    {
        var ex = Assert.Throws<VectorIndexFormatException>(() => FlatVectorIndex.Load(new MemoryStream("hello world, not an index"u8.ToArray())));
        Assert.Contains("LLMOPSVI", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplaceFrom_CorruptedData_LeavesIndexUntouched()
    {
        using var index = Build();
        byte[] data = Saved(index);
        using var other = new FlatVectorIndex(17);
        other.Add("only", VectorTestData.Random(new Random(1), 17), "x");
        byte[] corrupted = (byte[])data.Clone();
        corrupted[data.Length / 2] ^= 0x10;

        Assert.Throws<VectorIndexFormatException>(() => other.ReplaceFrom(new MemoryStream(corrupted)));
        Assert.Throws<VectorIndexFormatException>(() => other.ReplaceFrom(new MemoryStream(data[..^3])));
        Assert.Equal(1, other.Count);
        Assert.Equal("only", Assert.Single(other.SearchAllScopes(VectorTestData.Random(new Random(2), 17), 10)).Key);

        other.ReplaceFrom(new MemoryStream(data));
        Assert.Equal(index.Count, other.Count);
        Assert.False(other.ContainsKey("only"));
    }

    [Fact]
    public void ReplaceFrom_DifferentDimension_ThrowsAndKeepsIndex()
    {
        using var index = Build(dim: 4, count: 5);
        using var other = new FlatVectorIndex(5);
        other.Add("a", [1f, 0f, 0f, 0f, 0f]);
        var ex = Assert.Throws<VectorIndexFormatException>(() => other.ReplaceFrom(new MemoryStream(Saved(index))));
        Assert.Contains("4-dimensional", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, other.Count);
    }

    [Fact]
    public void SaveToFile_ReplacesAtomicallyAndLeavesNoTempFile()
    {
        string dir = Path.Combine(Path.GetTempPath(), "llmops-vectors-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "index.bin");
            File.WriteAllText(path, "old contents");
            using var index = Build();
            index.SaveToFile(path);
            using var loaded = FlatVectorIndex.LoadFromFile(path);
            Assert.Equal(index.Count, loaded.Count);
            Assert.Equal(["index.bin"], Directory.GetFiles(dir).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void SaveToFile_MissingFolder_ThrowsAndLeavesNoFile()
    {
        using var index = Build();
        string path = Path.Combine(Path.GetTempPath(), "llmops-missing-" + Guid.NewGuid().ToString("N"), "index.bin");
        Assert.Throws<DirectoryNotFoundException>(() => index.SaveToFile(path));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void TempFileCleanupFails_LogsEventId1500NamingTheFile()
    {
        // A failed save deletes its temporary file; when that delete fails too (here: the path is a directory),
        // the failure is absorbed, so it must be logged once, naming the file to delete by hand.
        string dir = Path.Combine(Path.GetTempPath(), "llmops-vectors-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var logger = new FakeLogger();
            AtomicFile.TryDelete(dir, VectorIndexFile.DeleteFailed(logger));
            FakeLogRecord record = Assert.Single(logger.Collector.GetSnapshot());
            Assert.Equal(1500, record.Id.Id);
            Assert.Equal(LogLevel.Warning, record.Level);
            Assert.Contains(dir, record.Message, StringComparison.Ordinal);
            Assert.NotNull(record.Exception);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void SaveToFile_Fails_ThrowsTheSaveErrorAndLogsNothingWhenCleanupWorks()
    {
        // The target is an existing directory, so the final rename fails after the temporary file was written.
        string dir = Path.Combine(Path.GetTempPath(), "llmops-vectors-" + Guid.NewGuid().ToString("N"));
        string target = Path.Combine(dir, "index.bin");
        Directory.CreateDirectory(target);
        try
        {
            var logger = new FakeLogger();
            using var index = new FlatVectorIndex(3, logger);
            index.Add("a", [1f, 0f, 0f]);
            Assert.ThrowsAny<IOException>(() => index.SaveToFile(target));
            Assert.Equal(["index.bin"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName));
            Assert.Empty(logger.Collector.GetSnapshot());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
