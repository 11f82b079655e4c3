namespace LlmOps.Prompts;

/// <summary>Where prompt versions and labels live. Versions are append-only; a label move is atomic.</summary>
/// <remarks>
/// Every member returns <see cref="ValueTask"/>, the rule for all LlmOps store interfaces (<see cref="IPromptStore"/>,
/// <c>ICostLedger</c>, <c>ISemanticCacheStore</c>): a store member can sit on the request's path and the embedded
/// default completes it synchronously, so it allocates no task there. Await each result exactly once.
/// Implementations are thread-safe.
/// </remarks>
public interface IPromptStore
{
    /// <summary>Loads everything stored for a prompt.</summary>
    /// <param name="name">The prompt name.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The record, or <see langword="null"/> when the prompt does not exist.</returns>
    ValueTask<PromptRecord?> LoadAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Lists the names of the stored prompts: every prompt with at least one stored version, in ordinal order.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The names, each once, sorted with <see cref="StringComparer.Ordinal"/>; empty when the store holds no prompt.</returns>
    /// <remarks>A tool or dashboard call, not a request-path one: it reads the whole catalogue of names.</remarks>
    ValueTask<IReadOnlyList<string>> ListNamesAsync(CancellationToken cancellationToken = default);

    /// <summary>Appends a new version. Fails when that version number already exists.</summary>
    /// <param name="template">The version, with its version number and content hash set.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the version is durable.</returns>
    ValueTask AddVersionAsync(PromptTemplate template, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves a label atomically and appends the move to the label history, only if the label still points at
    /// <see cref="PromptLabelMove.FromVersion"/> (<see langword="null"/>: the label must not exist yet). This is the
    /// optimistic concurrency check that lets exactly one of two concurrent moves win.
    /// </summary>
    /// <param name="move">The move.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the move is durable.</returns>
    /// <exception cref="PromptLabelConflictException">The label points elsewhere: another writer moved it first. Nothing was written.</exception>
    ValueTask MoveLabelAsync(PromptLabelMove move, CancellationToken cancellationToken = default);
}
