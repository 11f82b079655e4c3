using LlmOps.Caching;

namespace LlmOps.Stores.Tests.Contracts;

/// <summary>The semantic cache store contract against the embedded default.</summary>
public sealed class SemanticCacheStoreContractInMemoryTests : SemanticCacheStoreContract
{
    protected override ISemanticCacheStore CreateStore(TimeProvider time) => new InMemorySemanticCacheStore(1000, time);

    protected override ISemanticCacheStore CreatePeer(ISemanticCacheStore store, TimeProvider time) => store;
}
