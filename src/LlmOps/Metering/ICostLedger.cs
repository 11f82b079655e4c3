namespace LlmOps.Metering;

/// <summary>
/// Keeps one <see cref="CostRecord"/> per provider attempt. Implementations are thread-safe, and writes are
/// idempotent on (<see cref="CostRecord.RequestId"/>, <see cref="CostRecord.Attempt"/>).
/// </summary>
/// <remarks>
/// Every member returns <see cref="ValueTask"/>, the rule for all LlmOps store interfaces (<see cref="ICostLedger"/>,
/// <c>IPromptStore</c>, <c>ISemanticCacheStore</c>): <see cref="RecordAsync"/> runs on every provider call and the
/// embedded default completes it synchronously, so it allocates no task there. Await each result exactly once.
/// </remarks>
public interface ICostLedger
{
    /// <summary>Records an attempt. A second record with the same request id and attempt is ignored.</summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="true"/> when the record was added; <see langword="false"/> when it was already there.</returns>
    ValueTask<bool> RecordAsync(CostRecord record, CancellationToken cancellationToken = default);

    /// <summary>Gets the records that match a query, oldest first.</summary>
    /// <param name="query">The filter.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The records.</returns>
    ValueTask<IReadOnlyList<CostRecord>> QueryAsync(CostLedgerQuery query, CancellationToken cancellationToken = default);

    /// <summary>Gets the totals of the records that match a query.</summary>
    /// <param name="query">The filter.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The totals.</returns>
    ValueTask<CostTotals> GetTotalsAsync(CostLedgerQuery query, CancellationToken cancellationToken = default);
}
