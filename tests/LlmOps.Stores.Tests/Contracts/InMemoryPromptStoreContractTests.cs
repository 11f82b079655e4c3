using LlmOps.Prompts;

namespace LlmOps.Stores.Tests.Contracts;

public sealed class InMemoryPromptStoreContractTests : PromptStoreContract
{
    protected override Task<IPromptStore> CreateStoreAsync() => Task.FromResult<IPromptStore>(new InMemoryPromptStore());

    // One process, one object: the "other instance" is the same store.
    protected override Task<IPromptStore> CreatePeerAsync(IPromptStore store) => Task.FromResult(store);
}
