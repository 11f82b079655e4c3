using LlmOps.Metering;
using LlmOps.Tests.Caching;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;

namespace LlmOps.Tests.Metering;

/// <summary>
/// Issue 21: the metering stage reserves and settles through <see cref="IBudgetStore.ReserveAsync"/> and
/// <see cref="IBudgetStore.CompleteAsync"/>, so a store on a network engine never blocks a thread while it answers.
/// </summary>
public sealed class CostMeteringAsyncBudgetTests
{
    private static readonly ModelCatalog Catalog = new([new ModelDefinition("gpt-4o", ModelTier.Large, new ModelPrice(2.50m, 10.00m)) { MaxOutputTokens = 1000 }]);
    private static readonly ChatMessage[] Messages = [new(ChatRole.User, "What is the capital of France?")];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_BudgetStoreAnswersLater_TheProviderWaitsForTheReservation_AndTheSettlementIsAwaited(bool streaming)
    {
        var store = new AsyncOnlyBudgetStore();
        var budgets = new BudgetManager([new Budget(new LlmOpsScope("acme"), 10m)], telemetry: new LlmOpsTelemetry(), store: store);
        var inner = new MeteringTestClient();
        using var client = new CostMeteringChatClient(inner, new CostCalculator(Catalog), null, budgets, new TokenCounter(), new LlmOpsTelemetry());
        var options = new ChatOptions().WithScope("acme");

        var call = streaming
            ? client.GetStreamingResponseAsync(Messages, options).ToChatResponseAsync()
            : client.GetResponseAsync(Messages, options);

        Assert.False(call.IsCompleted);
        Assert.Equal(0, inner.Calls); // the reservation is still on its way: nothing reaches the provider unmetered
        store.Reserved.SetResult();
        Assert.True(await Spin.UntilAsync(() => store.Completing));
        Assert.False(call.IsCompleted); // the settlement is awaited before the call returns
        store.Completed.SetResult();

        var response = await call;
        Assert.Equal(1, inner.Calls);
        var status = budgets.GetStatus(new LlmOpsScope("acme"))[0];
        Assert.Equal(response.GetCost()!.Cost, status.Spent);
        Assert.Equal(0m, status.Reserved);
        Assert.Equal(0, budgets.OpenReservations);
    }

    /// <summary>A store whose blocking members must not be used; its asynchronous ones finish when the test says so.</summary>
    private sealed class AsyncOnlyBudgetStore : IBudgetStore
    {
        private readonly InMemoryBudgetStore _inner = new();
        private volatile bool _completing;

        public TaskCompletionSource Reserved { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Completing => _completing;

        public BudgetLease Reserve(IReadOnlyList<BudgetPartition> partitions, decimal amount, DateTimeOffset now)
            => throw new InvalidOperationException("The blocking Reserve was used on the request path.");

        public IReadOnlyList<BudgetThresholdEventArgs> Complete(BudgetLease lease, decimal? actualCost, DateTimeOffset now)
            => throw new InvalidOperationException("The blocking Complete was used on the request path.");

        public IReadOnlyList<BudgetStatus> GetStatus(IReadOnlyList<BudgetPartition> partitions, DateTimeOffset now) => _inner.GetStatus(partitions, now);

        public async ValueTask<BudgetLease> ReserveAsync(IReadOnlyList<BudgetPartition> partitions, decimal amount, DateTimeOffset now, CancellationToken cancellationToken = default)
        {
            await Reserved.Task;
            return _inner.Reserve(partitions, amount, now);
        }

        public async ValueTask<IReadOnlyList<BudgetThresholdEventArgs>> CompleteAsync(BudgetLease lease, decimal? actualCost, DateTimeOffset now)
        {
            _completing = true;
            await Completed.Task;
            return _inner.Complete(lease, actualCost, now);
        }
    }
}
