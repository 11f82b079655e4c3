using System.Text.Json;
using System.Text.Json.Serialization;
using LlmOps.Metering;

namespace LlmOps.Cli.Cost;

/// <summary>
/// Reads a cost ledger written as JSON lines: one <see cref="CostRecord"/> per line, as <c>System.Text.Json</c> writes it
/// with web defaults (<c>{"requestId": "...", "attempt": 1, "timestamp": "2026-12-01T09:00:00+00:00",
/// "scope": {"tenant": "acme", "user": null, "feature": "chat"}, "model": "gpt-4o-mini", "tier": {"name": "Small"},
/// "inputTokens": 120, "cachedInputTokens": 0, "outputTokens": 80, "cost": 0.000066, "priceSource": "model", ...}</c>).
/// Empty lines and lines starting with <c>#</c> are skipped; computed members (<c>isPriced</c>, <c>totalTokens</c>) are ignored.
/// </summary>
internal static class CostLedgerFile
{
    /// <summary>Gets the serializer options of the format (also used to write ledgers in tests and samples).</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static IReadOnlyList<CostRecord> Parse(string text, string source)
    {
        var records = new List<CostRecord>();
        var seen = new HashSet<(string, int)>();
        int number = 0;
        foreach (string raw in text.Split('\n'))
        {
            number++;
            string line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            CostRecord? record;
            try
            {
                record = JsonSerializer.Deserialize<CostRecord>(line, Options);
            }
            catch (JsonException e)
            {
                throw new CliException(ExitCodes.InputError, $"{source}:{number}: not a cost record ({e.Message}). Each line must be one JSON object as CostRecord serializes, e.g. {{\"requestId\":\"r1\",\"timestamp\":\"2026-12-01T09:00:00Z\",\"model\":\"gpt-4o-mini\",\"cost\":0.0001}}.");
            }

            if (record is null || record.Timestamp == default)
            {
                throw new CliException(ExitCodes.InputError, $"{source}:{number}: the record has no 'timestamp'. Each line needs at least requestId, timestamp, model and cost.");
            }

            // The ledger contract: writes are idempotent on (request id, attempt), so a replayed line counts once.
            if (seen.Add((record.RequestId, record.Attempt)))
            {
                records.Add(record);
            }
        }

        return records;
    }

    public static string Write(IEnumerable<CostRecord> records) =>
        string.Concat(records.Select(r => JsonSerializer.Serialize(r, Options) + "\n"));
}
