using System.Text;
using LlmOps.IO;

namespace LlmOps.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmops-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task WriteAsync_CancelledMidWrite_TargetKeepsOldContentAndNoTempFileIsLeft()
    {
        string path = Path.Combine(_dir, "run.json");
        await File.WriteAllTextAsync(path, "old");
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => AtomicFile.WriteAsync(
            path,
            async (stream, ct) =>
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes("half of the new"), ct);
                await cancel.CancelAsync();
                ct.ThrowIfCancellationRequested();
            },
            cancel.Token));

        Assert.Equal("old", await File.ReadAllTextAsync(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void Write_NoOverwriteAndTargetExists_ThrowsIOExceptionAndKeepsTarget()
    {
        string path = Path.Combine(_dir, "v1.prompt.md");
        File.WriteAllText(path, "version 1");

        Assert.Throws<IOException>(() => AtomicFile.Write(path, s => s.Write("version 1 again"u8), overwrite: false));

        Assert.Equal("version 1", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void Write_Succeeds_ReplacesContentWholly()
    {
        string path = Path.Combine(_dir, "index.bin");
        File.WriteAllText(path, "a much longer previous content");

        AtomicFile.Write(path, s => s.Write("new"u8));

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }
}
