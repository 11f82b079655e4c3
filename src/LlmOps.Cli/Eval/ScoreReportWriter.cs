using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmOps.Evaluation.Metrics;

namespace LlmOps.Cli.Eval;

/// <summary>Writes a <see cref="ScoreReport"/> as JSON (for scripts) or as an aligned text table (for people).</summary>
internal static class ScoreReportWriter
{
    public static string ToJson(ScoreReport report)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
        {
            json.WriteStartObject();
            json.WriteStartObject("corpus");
            foreach (ScoreMetric metric in report.Metrics)
            {
                if (report.Corpus.TryGetValue(metric, out double value))
                {
                    json.WriteNumber(ScoreMetricNames.NameOf(metric), value);
                }
            }

            json.WriteEndObject();
            json.WriteStartArray("items");
            foreach (ScoreReportItem item in report.Items)
            {
                json.WriteStartObject();
                json.WriteNumber("line", item.Line);
                foreach (ScoreMetric metric in report.Metrics)
                {
                    string name = ScoreMetricNames.NameOf(metric);
                    switch (item.Values[metric])
                    {
                        case RougeScore r:
                            json.WriteStartObject(name);
                            json.WriteNumber("p", r.Precision);
                            json.WriteNumber("r", r.Recall);
                            json.WriteNumber("f", r.FMeasure);
                            json.WriteEndObject();
                            break;
                        case double d:
                            json.WriteNumber(name, d);
                            break;
                    }
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static string ToText(ScoreReport report)
    {
        var columns = new List<string> { "line" };
        foreach (ScoreMetric metric in report.Metrics)
        {
            columns.Add(ScoreMetricNames.NameOf(metric) + (IsRouge(metric) ? " (F)" : string.Empty));
        }

        var rows = new List<string[]>();
        foreach (ScoreReportItem item in report.Items)
        {
            var row = new List<string> { item.Line.ToString(CultureInfo.InvariantCulture) };
            foreach (ScoreMetric metric in report.Metrics)
            {
                row.Add(item.Values[metric] switch
                {
                    RougeScore r => r.FMeasure.ToString("0.0000", CultureInfo.InvariantCulture),
                    double d => d.ToString(d > 1 || metric is ScoreMetric.Bleu or ScoreMetric.ChrF or ScoreMetric.ChrFPlusPlus ? "0.00" : "0.0000", CultureInfo.InvariantCulture),
                    _ => string.Empty,
                });
            }

            rows.Add([.. row]);
        }

        int[] widths = new int[columns.Count];
        for (int c = 0; c < columns.Count; c++)
        {
            widths[c] = Math.Max(columns[c].Length, rows.Count == 0 ? 0 : rows.Max(r => r[c].Length));
        }

        var sb = new StringBuilder();
        sb.AppendLine(string.Join("  ", columns.Select((h, c) => h.PadLeft(widths[c]))));
        foreach (string[] row in rows)
        {
            sb.AppendLine(string.Join("  ", row.Select((v, c) => v.PadLeft(widths[c]))));
        }

        foreach (ScoreMetric metric in report.Metrics)
        {
            if (report.Corpus.TryGetValue(metric, out double value))
            {
                sb.Append(CultureInfo.InvariantCulture, $"corpus {ScoreMetricNames.NameOf(metric)}: {value:0.00}").AppendLine();
            }
        }

        return sb.ToString();
    }

    private static bool IsRouge(ScoreMetric metric) =>
        metric is ScoreMetric.Rouge1 or ScoreMetric.Rouge2 or ScoreMetric.RougeL or ScoreMetric.RougeLsum;
}
