using LlmOps.Metering;

namespace LlmOps.Stores.Tests.Contracts;

public sealed class InMemoryCostLedgerContractTests : CostLedgerContract
{
    protected override Task<ICostLedger> CreateLedgerAsync() => Task.FromResult<ICostLedger>(new InMemoryCostLedger());

    protected override Task<ICostLedger> CreatePeerAsync(ICostLedger ledger) => Task.FromResult(ledger);
}
