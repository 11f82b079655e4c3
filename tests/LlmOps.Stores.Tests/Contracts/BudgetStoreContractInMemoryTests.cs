using LlmOps.Metering;

namespace LlmOps.Stores.Tests.Contracts;

/// <summary>The budget store contract against the embedded default.</summary>
public sealed class BudgetStoreContractInMemoryTests : BudgetStoreContract
{
    protected override IBudgetStore CreateStore() => new InMemoryBudgetStore();

    protected override IBudgetStore CreatePeer(IBudgetStore store) => store;
}
