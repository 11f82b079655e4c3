using System.Text.Json;
using LlmOps.Evaluation.Runs;

namespace LlmOps.Cli.Eval;

/// <summary>Reads a run's <c>results.json</c> (as <see cref="EvaluationRunResult.WriteJsonAsync"/> writes it) back.</summary>
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
            using JsonDocument doc = JsonDocument.Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false));
            var items = new List<EvaluationItemResult>();
            foreach (JsonElement item in doc.RootElement.GetProperty("items").EnumerateArray())
            {
                items.Add(item.Deserialize<EvaluationItemResult>() ?? throw new JsonException("null item"));
            }

            return new EvaluationRunResult(items, 0);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new CliException(ExitCodes.InputError, $"'{path}' is not an evaluation results file ({e.Message}). Pass the results.json (or the --out folder) that 'llmops eval run' wrote.");
        }
    }
}
