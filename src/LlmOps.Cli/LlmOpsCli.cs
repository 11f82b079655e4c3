using System.CommandLine;
using LlmOps.Cli.Assess;
using LlmOps.Cli.Cache;
using LlmOps.Cli.Cost;
using LlmOps.Cli.Eval;
using LlmOps.Cli.Guard;
using LlmOps.Cli.Prompts;
using LlmOps.Evaluation.Runs;
using LlmOps.Prompts;
using Npgsql;

namespace LlmOps.Cli;

/// <summary>Builds and runs the <c>llmops</c> command tree; tests call <see cref="RunAsync(string[], CliContext, CancellationToken)"/> in-process.</summary>
internal static class LlmOpsCli
{
    public static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("llmops: LlmOps from the terminal and CI scripts. Every read command takes --json. " + ExitCodes.Description);
        root.Add(PromptsCommand.Create(context));
        root.Add(EvalCommand.Create(context));
        root.Add(CostCommand.Create(context));
        root.Add(GuardCommand.Create(context));
        root.Add(CacheCommand.Create(context));
        root.Add(AssessCommand.Create(context));
        return root;
    }

    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, TextReader stdin, CancellationToken cancellationToken) =>
        RunAsync(args, new CliContext(stdout, stderr, stdin), cancellationToken);

    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        TextWriter stderr = context.Error;
        RootCommand root = BuildRoot(context);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await stderr.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
            }

            string command = string.Join(' ', CommandPath(parse.CommandResult.Command));
            await stderr.WriteLineAsync($"Run '{command} --help' for the usage.").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        try
        {
            var configuration = new InvocationConfiguration { Output = context.Out, Error = stderr, EnableDefaultExceptionHandler = false };
            return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return e.ExitCode;
        }
        catch (Exception e) when (e is PromptNotFoundException or PromptStoreException or PromptTamperedException or EvaluationDatasetException)
        {
            // The library's messages already name the prompt, file or line and the fix.
            await stderr.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.InputError;
        }
        catch (NpgsqlException e)
        {
            // The server was reached at the start (PostgresSource checks it) and failed later: down, restarted, or denied.
            await stderr.WriteLineAsync($"error: PostgreSQL failed during the command: {e.Message.TrimEnd().TrimEnd('.')}. Check that the server is up and that the user in the connection string after '{PostgresSource.Prefix}' may read and write the LlmOps schema, then run the command again.").ConfigureAwait(false);
            return ExitCodes.InputError;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("cancelled.").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
        catch (Exception e)
        {
            await stderr.WriteLineAsync($"error: unexpected failure (please report it): {e}").ConfigureAwait(false);
            return ExitCodes.InternalError;
        }
    }

    private static IEnumerable<string> CommandPath(Command command)
    {
        var names = new List<string>();
        for (Command? c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Add(c is RootCommand ? "llmops" : c.Name);
        }

        names.Reverse();
        return names;
    }
}
