namespace LlmOps.Cli;

/// <summary>The <c>llmops</c> tool's entry point.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        bool terminal = !Console.IsOutputRedirected;
        bool colour = terminal && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        var context = new CliContext(Console.Out, Console.Error, Console.In, ansi: colour, interactive: terminal, width: terminal ? null : 160);
        return await LlmOpsCli.RunAsync(args, context, cts.Token).ConfigureAwait(false);
    }
}
