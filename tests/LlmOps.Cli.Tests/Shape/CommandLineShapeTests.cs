namespace LlmOps.Cli.Tests.Shape;

public sealed class CommandLineShapeTests
{
    [Fact]
    public async Task Help_ListsTheCommandsAndExitCodes()
    {
        CliResult result = await CliRunner.RunAsync("--help");

        Assert.Equal(0, result.Code);
        foreach (string command in new[] { "prompts", "eval" })
        {
            Assert.Contains(command, result.Out, StringComparison.Ordinal);
        }

        Assert.Contains("Exit codes: 0 success", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCommandOrOption_ExitsTwoAndPointsAtHelp()
    {
        CliResult unknownCommand = await CliRunner.RunAsync("promtps", "list");
        CliResult unknownOption = await CliRunner.RunAsync("prompts", "list", "--frobnicate");

        Assert.Equal(2, unknownCommand.Code);
        Assert.Contains("llmops --help", unknownCommand.Err, StringComparison.Ordinal);
        Assert.Equal(2, unknownOption.Code);
        Assert.Contains("--frobnicate", unknownOption.Err, StringComparison.Ordinal);
        Assert.Contains("llmops prompts list --help", unknownOption.Err, StringComparison.Ordinal);
    }
}
