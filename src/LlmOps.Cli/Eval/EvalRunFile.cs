using LlmOps.Evaluation.Runs;

namespace LlmOps.Cli.Eval;

/// <summary>Reads a run's <c>results.json</c> (or the <c>--out</c> folder that holds it) back, with a CLI error when it cannot.</summary>
internal static class EvalRunFile
{
    public static async Task<EvaluationRunResult> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            path = Path.Combine(path, "results.json");
        }

        CliContext.RequireFile(path, "evaluation results");
        try
        {
            return await EvaluationRunResult.ReadJsonAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw new CliException(ExitCodes.InputError, e.Message); // names the file, the problem and the fix
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new CliException(ExitCodes.InputError, $"cannot read the evaluation results '{path}': {e.Message}. Check the path and its permissions.");
        }
    }
}
