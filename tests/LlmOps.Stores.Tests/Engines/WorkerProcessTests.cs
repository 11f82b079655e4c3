using LlmOps.Stores.Tests.Engines;

namespace LlmOps.Stores.Tests.Engines;

public sealed class WorkerProcessTests
{
    [Fact]
    public async Task Worker_RunsAsSeparateProcess_AndReportsItsOutput()
    {
        var (exitCode, output, error) = await WorkerProcess.RunAsync(CancellationToken.None, "echo", "hello", "42");

        Assert.True(exitCode == 0, error);
        Assert.Equal("hello 42", output.Trim());
    }

    [Fact]
    public async Task Worker_UnknownCommand_ExitsWithUsage()
    {
        var (exitCode, _, error) = await WorkerProcess.RunAsync(CancellationToken.None, "no-such-command");

        Assert.Equal(2, exitCode);
        Assert.Contains("echo", error);
    }
}
