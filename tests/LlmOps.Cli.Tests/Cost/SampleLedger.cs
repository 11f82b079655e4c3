using LlmOps.Cli.Cost;
using LlmOps.Metering;

namespace LlmOps.Cli.Tests.Cost;

/// <summary>A deterministic ledger: 4 days with records (1, 2, 3 and 5 December; none on the 4th), 3 models, 2 tenants plus unscoped calls.</summary>
internal static class SampleLedger
{
    public static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    public static IReadOnlyList<CostRecord> Records()
    {
        string[] models = ["gpt-4o-mini", "gpt-4o", "llama-3.1-8b"];
        decimal[] prices = [0.0004m, 0.006m, 0.0001m];
        int[] days = [0, 1, 2, 4];
        var records = new List<CostRecord>();
        int n = 0;
        foreach (int day in days)
        {
            for (int i = 0; i < 10; i++)
            {
                int m = (n * 7 + i) % 3;
                string? tenant = (n % 5) switch { 0 or 1 => "acme", 2 or 3 => "globex", _ => null };
                string id = $"req-{n:D3}";
                var first = new CostRecord
                {
                    RequestId = id,
                    Attempt = 1,
                    Timestamp = Start.AddDays(day).AddMinutes(i * 13),
                    Scope = new LlmOps.LlmOpsScope(tenant, $"user-{n % 4}", i % 2 == 0 ? "chat" : "search"),
                    Model = models[m],
                    InputTokens = 200 + (n * 37 % 500),
                    OutputTokens = 50 + (n * 11 % 200),
                    Cost = prices[m] * (1 + (n % 7)),
                    PriceSource = PriceSource.Model,
                    PromptName = "support-answer",
                    PromptVersion = (1 + (n % 2)).ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
                records.Add(first);
                if (n % 6 == 5)
                {
                    // A fallback: a second attempt of the same request on the large model.
                    records.Add(first with { Attempt = 2, Model = "gpt-4o", Cost = 0.012m, Timestamp = first.Timestamp.AddSeconds(2) });
                }

                n++;
            }
        }

        return records;
    }

    public static string Write(string folder)
    {
        string path = Path.Combine(folder, "ledger.jsonl");
        File.WriteAllText(path, "# cost ledger\n" + CostLedgerFile.Write(Records()));
        return path;
    }
}
