using Microsoft.Extensions.Logging;

namespace LlmOps.Metering;

/// <summary>
/// Metering's log lines (EventIds 1400–1499). Each failure metering absorbs (the request still gets its answer and
/// its cost) is logged once here.
/// </summary>
internal static partial class MeteringLog
{
    [LoggerMessage(EventId = 1400, EventName = "CostLedgerWriteFailed", Level = LogLevel.Error,
        Message = "The cost ledger failed to record request {RequestId} attempt {Attempt} ({Cost} USD); the cost stays on the response and the metric, but the ledger misses it.")]
    public static partial void LedgerWriteFailed(ILogger logger, string requestId, int attempt, decimal cost, Exception exception);

    [LoggerMessage(EventId = 1401, EventName = "BudgetThresholdHandlerFailed", Level = LogLevel.Warning,
        Message = "A BudgetManager.ThresholdReached handler threw for budget '{Budget}' at threshold {Threshold}; the reservation stands and the other handlers still run.")]
    public static partial void ThresholdHandlerFailed(ILogger logger, string budget, double threshold, Exception exception);
}
