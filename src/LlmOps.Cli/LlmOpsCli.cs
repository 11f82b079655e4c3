using System.CommandLine;
using LlmOps.Cli.Eval;

namespace LlmOps.Cli;

/// <summary>Builds and runs the <c>llmops</c> command tree; tests call <see cref="RunAsync"/> in-process.</summary>
internal static class LlmOpsCli
{
    public static RootCommand BuildRoot(TextReader stdin)
    {
        var root = new RootCommand("llmops: LlmOps from the terminal. " + ExitCodes.Description);
        var eval = new Command("eval", "Evaluation: score predictions against references.");
        eval.Add(EvalScoreCommand.Create(stdin));
        root.Add(eval);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, TextReader stdin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        RootCommand root = BuildRoot(stdin);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await stderr.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
            }

            await stderr.WriteLineAsync("Run 'llmops --help' (or 'llmops eval score --help') for the usage.").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        try
        {
            var configuration = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
            return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("cancelled.").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
    }
}
