using LlmOps.Metering;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace LlmOps.Tests.Metering;

/// <summary>Issue 13: failures metering absorbs are logged once with a stable EventId.</summary>
public sealed class MeteringLogTests
{
    private static readonly ChatMessage[] Messages = [new(ChatRole.User, "What is the capital of France?")];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_LedgerThrows_AnswerKeptReservationClosedAndLoggedOnce(bool streaming)
    {
        var logger = new FakeLogger<CostMeteringChatClient>();
        var budgets = new BudgetManager([new Budget(new LlmOpsScope("acme"), 10m)]);
        var catalog = new ModelCatalog([new ModelDefinition("gpt-4o", ModelTier.Large, new ModelPrice(2.50m, 10m))]);
        var client = new CostMeteringChatClient(new MeteringTestClient(), new CostCalculator(catalog), new ThrowingLedger(), budgets, telemetry: new LlmOpsTelemetry(), logger: logger);
        var options = new ChatOptions().WithScope("acme");

        var response = streaming
            ? await client.GetStreamingResponseAsync(Messages, options).ToChatResponseAsync()
            : await client.GetResponseAsync(Messages, options);

        Assert.Equal(" hello world", response.Text);
        Assert.NotNull(response.GetCost());
        Assert.Equal(0, budgets.OpenReservations);
        var log = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(1400, log.Id.Id);
        Assert.Equal(LogLevel.Error, log.Level);
        Assert.IsType<InvalidOperationException>(log.Exception);
    }

    [Fact]
    public void Reserve_ThresholdHandlerThrows_ReservationStandsOtherHandlersRunAndLogged()
    {
        var logger = new FakeLogger<BudgetManager>();
        var budgets = new BudgetManager([new Budget(new LlmOpsScope("acme"), 1m) { SoftThresholds = [0.5] }], logger: logger);
        var others = 0;
        budgets.ThresholdReached += (_, _) => throw new InvalidOperationException("handler bug");
        budgets.ThresholdReached += (_, _) => others++;

        using var reservation = budgets.Reserve(new LlmOpsScope("acme"), 0.6m);

        Assert.Equal(1, budgets.OpenReservations);
        Assert.Equal(1, others);
        var log = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(1401, log.Id.Id);
    }

    private sealed class ThrowingLedger : ICostLedger
    {
        public ValueTask<bool> RecordAsync(CostRecord record, CancellationToken cancellationToken = default) => throw new InvalidOperationException("ledger down");

        public ValueTask<IReadOnlyList<CostRecord>> QueryAsync(CostLedgerQuery query, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<CostTotals> GetTotalsAsync(CostLedgerQuery query, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
