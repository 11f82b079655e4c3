using System.Globalization;
using LlmOps.Metering;

namespace LlmOps.Cli.Cost;

/// <summary>Sums ledger records by a dimension, over a time range.</summary>
internal sealed class CostReport
{
    public static readonly string[] Dimensions = ["model", "scope", "tenant", "feature", "prompt", "day"];

    private CostReport(IReadOnlyList<CostRecord> records, string by, DateTimeOffset? from, DateTimeOffset? to)
    {
        Records = records;
        By = by;
        From = from;
        To = to;
        Total = Sum("total", records, records.Sum(r => r.Cost));
        Groups = [.. records.GroupBy(r => Key(r, by), StringComparer.Ordinal)
            .Select(g => Sum(g.Key, [.. g], Total.Cost))
            .OrderBy(g => by == "day" ? g.Key : string.Empty, StringComparer.Ordinal)
            .ThenByDescending(g => g.Cost)
            .ThenBy(g => g.Key, StringComparer.Ordinal)];
    }

    public IReadOnlyList<CostRecord> Records { get; }

    public string By { get; }

    public DateTimeOffset? From { get; }

    public DateTimeOffset? To { get; }

    public CostGroup Total { get; }

    public IReadOnlyList<CostGroup> Groups { get; }

    public static CostReport Create(IEnumerable<CostRecord> records, string by, DateTimeOffset? from, DateTimeOffset? to)
    {
        var query = new CostLedgerQuery { From = from, To = to };
        return new CostReport([.. records.Where(query.Matches).OrderBy(r => r.Timestamp)], by, from, to);
    }

    public static string Key(CostRecord record, string by) => by switch
    {
        "model" => record.Model.Length == 0 ? "(unknown)" : record.Model,
        "scope" => record.Scope.IsGlobal ? "(global)" : $"{record.Scope.Tenant ?? "-"}/{record.Scope.User ?? "-"}/{record.Scope.Feature ?? "-"}",
        "tenant" => record.Scope.Tenant ?? "(none)",
        "feature" => record.Scope.Feature ?? "(none)",
        "prompt" => record.PromptName is null ? "(none)" : $"{record.PromptName}@{record.PromptVersion ?? "?"}",
        "day" => Day(record.Timestamp),
        _ => throw new ArgumentOutOfRangeException(nameof(by), by, "Unknown dimension."),
    };

    public static string Day(DateTimeOffset timestamp) => timestamp.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Gets each request's total cost (all its attempts), for the per-request distribution.</summary>
    /// <returns>The costs, one per request id.</returns>
    public IReadOnlyList<decimal> CostPerRequest() => [.. Records.GroupBy(r => r.RequestId, StringComparer.Ordinal).Select(g => g.Sum(r => r.Cost))];

    private static CostGroup Sum(string key, IReadOnlyList<CostRecord> records, decimal total)
    {
        decimal cost = 0;
        long input = 0, cached = 0, output = 0;
        int estimated = 0;
        var requests = new HashSet<string>(StringComparer.Ordinal);
        foreach (CostRecord r in records)
        {
            cost += r.Cost;
            input += r.InputTokens;
            cached += r.CachedInputTokens;
            output += r.OutputTokens;
            estimated += r.IsEstimated || !r.IsPriced ? 1 : 0;
            requests.Add(r.RequestId);
        }

        return new CostGroup(key, requests.Count, records.Count, input, cached, output, cost, total == 0 ? 0 : (double)(cost / total), estimated);
    }
}
