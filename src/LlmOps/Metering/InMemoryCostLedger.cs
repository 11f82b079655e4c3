using System.Collections.Concurrent;

namespace LlmOps.Metering;

/// <summary>
/// The default <see cref="ICostLedger"/>: in memory, thread-safe, idempotent on (request id, attempt). Records live
/// as long as the instance; use a persistent ledger when an application runs as several instances.
/// </summary>
public sealed class InMemoryCostLedger : ICostLedger
{
    private readonly ConcurrentDictionary<(string RequestId, int Attempt), CostRecord> _records = new();

    /// <summary>Gets the number of records.</summary>
    public int Count => _records.Count;

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is <see langword="null"/>.</exception>
    public ValueTask<bool> RecordAsync(CostRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        cancellationToken.ThrowIfCancellationRequested();
        return new(_records.TryAdd((record.RequestId, record.Attempt), record));
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is <see langword="null"/>.</exception>
    public ValueTask<IReadOnlyList<CostRecord>> QueryAsync(CostLedgerQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new List<CostRecord>();
        foreach (var record in _records.Values)
        {
            if (query.Matches(record))
            {
                result.Add(record);
            }
        }

        result.Sort(static (a, b) => a.Timestamp.CompareTo(b.Timestamp));
        return new(result);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is <see langword="null"/>.</exception>
    public ValueTask<CostTotals> GetTotalsAsync(CostLedgerQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        long attempts = 0, input = 0, cached = 0, output = 0, estimated = 0;
        var cost = 0m;
        foreach (var record in _records.Values)
        {
            if (!query.Matches(record))
            {
                continue;
            }

            attempts++;
            input += record.InputTokens;
            cached += record.CachedInputTokens;
            output += record.OutputTokens;
            cost += record.Cost;
            estimated += record.IsEstimated ? 1 : 0;
        }

        return new(new CostTotals(attempts, input, cached, output, cost, estimated));
    }
}
