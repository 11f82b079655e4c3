using System.Text.Json;
using LlmOps.IO;

namespace LlmOps.Evaluation.Runs;

/// <summary>The results of an evaluation run, in dataset order.</summary>
public sealed class EvaluationRunResult
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    internal EvaluationRunResult(IReadOnlyList<EvaluationItemResult> items, int resumed)
    {
        Items = items;
        Resumed = resumed;
    }

    /// <summary>Gets the per-item results, in dataset order.</summary>
    public IReadOnlyList<EvaluationItemResult> Items { get; }

    /// <summary>Gets how many items came from the checkpoint without calling the target.</summary>
    public int Resumed { get; }

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

    /// <summary>Writes the results as indented JSON.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the file is written.</returns>
    public async Task WriteJsonAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var document = new
        {
            items = Items,
            means = MetricNames.ToDictionary(n => n, Mean, StringComparer.Ordinal),
        };
        await AtomicFile.WriteAsync(
            path,
            (stream, ct) => JsonSerializer.SerializeAsync(stream, document, JsonOptions, ct),
            cancellationToken).ConfigureAwait(false);
    }
}
