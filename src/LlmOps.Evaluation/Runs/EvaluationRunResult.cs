using System.Text.Json;
using LlmOps.IO;

namespace LlmOps.Evaluation.Runs;

/// <summary>The results of an evaluation run, in dataset order.</summary>
public sealed class EvaluationRunResult
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    internal EvaluationRunResult(IReadOnlyList<EvaluationItemResult> items, int resumed, string? target = null, string? prompt = null)
    {
        Items = items;
        Resumed = resumed;
        Target = target;
        Prompt = prompt;
    }

    /// <summary>Gets the name of the <see cref="EvaluationTarget"/> that ran, or <see langword="null"/> for a run against a bare client.</summary>
    public string? Target { get; }

    /// <summary>Gets the registry prompt version a prompt target ran (<c>name@version</c>), or <see langword="null"/>.</summary>
    public string? Prompt { get; }

    /// <summary>Gets the per-item results, in dataset order.</summary>
    public IReadOnlyList<EvaluationItemResult> Items { get; }

    /// <summary>Gets how many items came from the checkpoint without calling the target.</summary>
    public int Resumed { get; }

    /// <summary>
    /// Gets the sum of the items' <see cref="EvaluationItemResult.Cost"/>; <see langword="null"/> when no item has a cost
    /// (the target has no metering stage).
    /// </summary>
    public decimal? TotalCost
    {
        get
        {
            decimal? total = null;
            foreach (EvaluationItemResult item in Items)
            {
                if (item.Cost is { } cost)
                {
                    total = (total ?? 0) + cost;
                }
            }

            return total;
        }
    }

    /// <summary>Gets the names of the metrics that appear in the results.</summary>
    public IReadOnlyList<string> MetricNames => [.. Items.SelectMany(i => i.Metrics.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>Gets a metric's value per item, in dataset order (<see langword="null"/> where the item has none).</summary>
    /// <param name="metricName">The metric.</param>
    /// <returns>The values.</returns>
    public IReadOnlyList<double?> Values(string metricName) =>
        [.. Items.Select(i => i.Metrics.TryGetValue(metricName, out double? v) ? v : null)];

    /// <summary>Gets a metric's mean over the items that have a value; <see langword="null"/> when none has.</summary>
    /// <param name="metricName">The metric.</param>
    /// <returns>The mean.</returns>
    public double? Mean(string metricName)
    {
        double[] values = [.. Values(metricName).Where(v => v.HasValue).Select(v => v!.Value)];
        return values.Length == 0 ? null : values.Average();
    }

    /// <summary>
    /// Reads results written by <see cref="WriteJsonAsync"/> (the <c>results.json</c> of <c>llmops eval run</c>), for
    /// example to compare a run with a stored baseline. The stored means are not read: they are recomputed from the items.
    /// </summary>
    /// <param name="path">The results file.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The results, in the stored order, with their <see cref="Target"/>, <see cref="Prompt"/> and costs; <see cref="Resumed"/> is 0.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not results JSON (the message names the file and the problem).</exception>
    public static async Task<EvaluationRunResult> ReadJsonAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The evaluation results file '{path}' does not exist (looked in {Path.GetFullPath(path)}). Pass the results.json that WriteJsonAsync (or 'llmops eval run') wrote.", path);
        }

        try
        {
            var stream = File.OpenRead(path);
            await using (stream.ConfigureAwait(false))
            {
                using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("items", out var itemsElement) || itemsElement.ValueKind != JsonValueKind.Array)
                {
                    throw new InvalidDataException($"'{path}' is not an evaluation results file: it has no 'items' array. Pass the results.json that WriteJsonAsync (or 'llmops eval run') wrote.");
                }

                var items = new List<EvaluationItemResult>(itemsElement.GetArrayLength());
                foreach (var element in itemsElement.EnumerateArray())
                {
                    var item = element.Deserialize<EvaluationItemResult>();
                    if (item is null || item.ItemId is null || item.Metrics is null || item.Errors is null)
                    {
                        throw new InvalidDataException($"'{path}' is not an evaluation results file: item {items.Count + 1} lacks ItemId, Metrics or Errors. Pass the results.json that WriteJsonAsync (or 'llmops eval run') wrote.");
                    }

                    items.Add(item);
                }

                return new EvaluationRunResult(items, 0, OptionalString(document.RootElement, "target"), OptionalString(document.RootElement, "prompt"));
            }
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not an evaluation results file: {ex.Message} Pass the results.json that WriteJsonAsync (or 'llmops eval run') wrote.", ex);
        }
    }

    /// <summary>Writes the results as indented JSON.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the file is written.</returns>
    public async Task WriteJsonAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var document = new
        {
            target = Target,
            prompt = Prompt,
            items = Items,
            totalCost = TotalCost,
            means = MetricNames.ToDictionary(n => n, Mean, StringComparer.Ordinal),
        };
        await AtomicFile.WriteAsync(
            path,
            (stream, ct) => JsonSerializer.SerializeAsync(stream, document, JsonOptions, ct),
            cancellationToken).ConfigureAwait(false);
    }

    private static string? OptionalString(JsonElement root, string property) =>
        root.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
