using System.Globalization;
using System.Text;
using LlmOps.Cli.Reports;

namespace LlmOps.Cli.Cost;

/// <summary>
/// The self-contained HTML cost report: totals, four inline SVG charts (cost per day as a line with one point per day,
/// cost by model and by tenant as bars, the cost-per-request distribution as a 12-bin histogram) and the grouped table.
/// No script and no network.
/// </summary>
internal static class CostHtmlReport
{
    public const int RequestBins = 12;

    public static string Render(CostReport report, string title)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(SvgCharts.E(title)).Append("</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1200px}table{border-collapse:collapse;margin:1rem 0}")
            .Append("td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}th{background:#f4f4f4}.num{text-align:right;font-variant-numeric:tabular-nums}")
            .Append(".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:1.5rem}figure{margin:0}figcaption{font-size:.9rem;color:#444}")
            .Append(".kpi{display:flex;gap:2rem;margin:1rem 0}.kpi div{background:#f4f7fb;padding:.6rem 1rem;border-radius:6px}.kpi b{display:block;font-size:1.4rem}")
            .Append("</style></head><body><h1>").Append(SvgCharts.E(title)).Append("</h1>");

        CostGroup total = report.Total;
        string range = report.Records.Count == 0
            ? "no records in range"
            : $"{report.Records[0].Timestamp.UtcDateTime:yyyy-MM-dd HH:mm} to {report.Records[^1].Timestamp.UtcDateTime:yyyy-MM-dd HH:mm} UTC";
        html.Append(CultureInfo.InvariantCulture, $"<p>{SvgCharts.E(range)}</p><div class=\"kpi\">")
            .Append(CultureInfo.InvariantCulture, $"<div>Total cost<b>{Money(total.Cost)}</b></div><div>Requests<b>{total.Requests}</b></div><div>Provider attempts<b>{total.Attempts}</b></div>")
            .Append(CultureInfo.InvariantCulture, $"<div>Tokens in / out<b>{total.InputTokens + total.CachedInputTokens:N0} / {total.OutputTokens:N0}</b></div><div>Estimated attempts<b>{total.EstimatedAttempts}</b></div></div>");

        html.Append("<div class=\"charts\">");
        CostGroup[] days = [.. CostReport.Create(report.Records, "day", null, null).Groups.OrderBy(g => g.Key, StringComparer.Ordinal)];
        (string[] dayLabels, double[] dayCosts) = FillDays(days);
        html.Append(SvgCharts.Line("cost-over-time", $"Cost per day (USD), {dayLabels.Length} days", dayLabels, dayCosts, MoneyOf));
        CostGroup[] models = [.. CostReport.Create(report.Records, "model", null, null).Groups];
        html.Append(SvgCharts.HorizontalBars("cost-by-model", $"Cost by model (USD), {models.Length} models", [.. models.Select(g => g.Key)], [.. models.Select(g => (double)g.Cost)], MoneyOf));
        CostGroup[] tenants = [.. CostReport.Create(report.Records, "tenant", null, null).Groups];
        html.Append(SvgCharts.HorizontalBars("cost-by-tenant", $"Cost by tenant (USD), {tenants.Length} tenants", [.. tenants.Select(g => g.Key)], [.. tenants.Select(g => (double)g.Cost)], MoneyOf));
        double[] perRequest = [.. report.CostPerRequest().Select(c => (double)c)];
        html.Append(SvgCharts.Histogram("cost-per-request", $"Cost per request (USD), {perRequest.Length} requests in {RequestBins} bins", perRequest, RequestBins, MoneyOf));
        html.Append("</div>");

        html.Append(CultureInfo.InvariantCulture, $"<h2>By {SvgCharts.E(report.By)}</h2><table><tr><th>{SvgCharts.E(report.By)}</th><th>Requests</th><th>Attempts</th><th>Input tokens</th><th>Cached input</th><th>Output tokens</th><th>Cost (USD)</th><th>Share</th><th>Estimated</th></tr>");
        foreach (CostGroup g in report.Groups)
        {
            html.Append("<tr><td>").Append(SvgCharts.E(g.Key)).Append(CultureInfo.InvariantCulture, $"</td><td class=\"num\">{g.Requests}</td><td class=\"num\">{g.Attempts}</td><td class=\"num\">{g.InputTokens:N0}</td><td class=\"num\">{g.CachedInputTokens:N0}</td><td class=\"num\">{g.OutputTokens:N0}</td><td class=\"num\">{Money(g.Cost)}</td><td class=\"num\">{g.Share:P1}</td><td class=\"num\">{g.EstimatedAttempts}</td></tr>");
        }

        html.Append("</table></body></html>");
        return html.ToString();
    }

    public static string Money(decimal value) => "$" + value.ToString(value != 0 && Math.Abs(value) < 0.01m ? "0.00####" : "N2", CultureInfo.InvariantCulture);

    private static string MoneyOf(double value) => Money((decimal)value);

    // Days without a record are drawn at zero, so the line's spacing is true to time.
    private static (string[] Labels, double[] Costs) FillDays(CostGroup[] days)
    {
        if (days.Length == 0)
        {
            return ([], []);
        }

        var byDay = days.ToDictionary(d => d.Key, d => (double)d.Cost, StringComparer.Ordinal);
        DateTime first = DateTime.ParseExact(days[0].Key, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        DateTime last = DateTime.ParseExact(days[^1].Key, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var labels = new List<string>();
        var costs = new List<double>();
        for (DateTime d = first; d <= last; d = d.AddDays(1))
        {
            string key = d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            labels.Add(key);
            costs.Add(byDay.GetValueOrDefault(key));
        }

        return ([.. labels], [.. costs]);
    }
}
