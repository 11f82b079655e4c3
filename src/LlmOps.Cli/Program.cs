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
        return await LlmOpsCli.RunAsync(args, Console.Out, Console.Error, Console.In, cts.Token).ConfigureAwait(false);
    }
}
