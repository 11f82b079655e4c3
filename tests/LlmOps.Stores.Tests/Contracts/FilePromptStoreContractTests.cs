using LlmOps.Prompts;

namespace LlmOps.Stores.Tests.Contracts;

public sealed class FilePromptStoreContractTests : PromptStoreContract, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("llmops-prompts-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact(Skip = "FilePromptStore: a file has no compare-and-swap, so two instances moving one label at the same instant are not serialised (a stale move is still rejected; see MoveLabelAsync_StaleExpectedVersion_ThrowsConflictAndWritesNothing). Use the SQLite or PostgreSQL store for several instances.")]
    public override Task MoveLabelAsync_ConcurrentPromotesFromTwoInstances_ExactlyOneWins() => Task.CompletedTask;

    protected override Task<IPromptStore> CreateStoreAsync()
        => Task.FromResult<IPromptStore>(new FilePromptStore(Path.Combine(_root, Guid.NewGuid().ToString("N"))));

    protected override Task<IPromptStore> CreatePeerAsync(IPromptStore store)
        => Task.FromResult<IPromptStore>(new FilePromptStore(((FilePromptStore)store).Directory));
}
