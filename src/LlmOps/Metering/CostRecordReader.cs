using System.Data.Common;

namespace LlmOps.Metering;

/// <summary>
/// Reads cost records as the SQL ledgers (PostgreSQL, SQLite) select them, in the shared column order
/// <c>request_id, attempt, occurred, tenant, user_id, feature, model, priced_as, tier, input_tokens,
/// cached_input_tokens, output_tokens, gpu_ticks, cost, price_source, is_estimated, is_complete, prompt_name,
/// prompt_version</c>. Kept here so both ledgers map rows the same way; the engines store the time, the cost and the
/// price source in different column types, so those three are read by the caller's delegates.
/// </summary>
internal static class CostRecordReader
{
    /// <summary>Reads every row of the current result set.</summary>
    /// <param name="reader">The reader, before its first row.</param>
    /// <param name="readTime">Reads the time column (ordinal 2).</param>
    /// <param name="readCost">Reads the cost column (ordinal 13) exactly, as a <see langword="decimal"/>.</param>
    /// <param name="readPriceSource">Reads the price source column (ordinal 14).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The records in the order the query returned them.</returns>
    public static async Task<IReadOnlyList<CostRecord>> ReadAllAsync(
        DbDataReader reader,
        Func<DbDataReader, int, DateTimeOffset> readTime,
        Func<DbDataReader, int, decimal> readCost,
        Func<DbDataReader, int, int> readPriceSource,
        CancellationToken cancellationToken)
    {
        var records = new List<CostRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(new CostRecord
            {
                RequestId = reader.GetString(0),
                Attempt = reader.GetInt32(1),
                Timestamp = readTime(reader, 2),
                Scope = new LlmOpsScope(NullableString(reader, 3), NullableString(reader, 4), NullableString(reader, 5)),
                Model = reader.GetString(6),
                PricedAs = NullableString(reader, 7),
                Tier = reader.IsDBNull(8) ? default : new ModelTier(reader.GetString(8)),
                InputTokens = reader.GetInt64(9),
                CachedInputTokens = reader.GetInt64(10),
                OutputTokens = reader.GetInt64(11),
                GpuTime = TimeSpan.FromTicks(reader.GetInt64(12)),
                Cost = readCost(reader, 13),
                PriceSource = (PriceSource)readPriceSource(reader, 14),
                IsEstimated = reader.GetBoolean(15),
                IsComplete = reader.GetBoolean(16),
                PromptName = NullableString(reader, 17),
                PromptVersion = NullableString(reader, 18),
            });
        }

        return records;
    }

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
