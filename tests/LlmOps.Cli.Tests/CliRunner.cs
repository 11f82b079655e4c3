using LlmOps.Cli;
using Microsoft.Extensions.Time.Testing;

namespace LlmOps.Cli.Tests;

/// <summary>Runs the tool in-process and captures its output and exit code.</summary>
internal static class CliRunner
{
    public static async Task<CliResult> RunAsync(params string[] args) => await RunAsync(new CliRunOptions(), args);

    public static async Task<CliResult> RunAsync(CliRunOptions options, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext(output, error, new StringReader(options.Stdin), ansi: options.Ansi, time: options.Time ?? new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero)));
        int code = await LlmOpsCli.RunAsync(args, context, CancellationToken.None);
        return new CliResult(code, output.ToString(), error.ToString());
    }
}

internal sealed record CliRunOptions(string Stdin = "", bool Ansi = false, TimeProvider? Time = null);

internal sealed record CliResult(int Code, string Out, string Err)
{
    public override string ToString() => $"exit {Code}\nstdout:\n{Out}\nstderr:\n{Err}";
}

/// <summary>A temporary folder deleted at the end of the test.</summary>
public abstract class TempFolderTest : IDisposable
{
    protected string Folder { get; } = Directory.CreateTempSubdirectory("llmops-cli-").FullName;

    protected string Write(string relativePath, string content)
    {
        string path = Path.Combine(Folder, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }
}
