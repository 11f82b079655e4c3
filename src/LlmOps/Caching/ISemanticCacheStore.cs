namespace LlmOps.Caching;

/// <summary>
/// Where <see cref="SemanticCachingChatClient"/> keeps its entries. The in-memory default is
/// <see cref="InMemorySemanticCacheStore"/>; a multi-instance application implements this over a shared engine.
/// </summary>
/// <remarks>
/// <para>
/// Implementations must be thread-safe, treat an entry past its <see cref="SemanticCacheEntry.ExpiresAt"/> as absent,
/// and search only inside the partition given, so that one scope's answers can never be found from another.
/// </para>
/// <para>
/// Every member returns <see cref="ValueTask"/> (the store-interface rule: a member on the request's hot path that the
/// embedded default completes synchronously returns <see cref="ValueTask"/>, so a hit allocates no task; await each
/// result once). <see cref="InvalidateAsync"/> receives a description of fields, not a predicate, so a store on a
/// server (Redis, PostgreSQL) can run it there; <see cref="SemanticCacheInvalidation.Matches"/> is its reference
/// semantics.
/// </para>
/// <para>
/// A store that throws does not fail the request: the cache treats a failed read as a miss and a failed write as "not
/// stored", and logs each failure once.
/// </para>
/// </remarks>
public interface ISemanticCacheStore
{
    /// <summary>Gets the live entry with this exact key, refreshing its recency.</summary>
    /// <param name="key">The exact key.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The entry, or <see langword="null"/>.</returns>
    ValueTask<SemanticCacheEntry?> GetAsync(SemanticCacheKey key, CancellationToken cancellationToken = default);

    /// <summary>Finds the live entry in <paramref name="partition"/> whose embedding is nearest to <paramref name="embedding"/>.</summary>
    /// <param name="partition">The partition (scope, model, context and options hash).</param>
    /// <param name="embedding">The normalised query embedding.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The nearest entry and its cosine similarity, or <see langword="null"/> when the partition is empty.</returns>
    ValueTask<SemanticCacheMatch?> FindNearestAsync(SemanticCacheKey partition, ReadOnlyMemory<float> embedding, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finds up to <paramref name="maxCount"/> live entries in <paramref name="partition"/> whose cosine similarity to
    /// <paramref name="embedding"/> is at least <paramref name="minSimilarity"/>, most similar first. The cache checks
    /// them in order, so a nearest candidate that the guards reject does not hide a farther valid one.
    /// </summary>
    /// <param name="partition">The partition (scope, model, context and options hash).</param>
    /// <param name="embedding">The normalised query embedding.</param>
    /// <param name="maxCount">The most candidates to return; at least 1.</param>
    /// <param name="minSimilarity">The lowest similarity to return (-1 for any).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The candidates, most similar first; empty when none qualifies.</returns>
    /// <remarks>
    /// The default implementation, for stores written before this member, returns the single entry
    /// <see cref="FindNearestAsync"/> finds (when it qualifies); implement it to let the cache see the next candidates.
    /// </remarks>
    async ValueTask<IReadOnlyList<SemanticCacheMatch>> FindCandidatesAsync(
        SemanticCacheKey partition, ReadOnlyMemory<float> embedding, int maxCount, float minSimilarity, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        return await FindNearestAsync(partition, embedding, cancellationToken).ConfigureAwait(false) is { } nearest && nearest.Similarity >= minSimilarity
            ? [nearest]
            : [];
    }

    /// <summary>Adds or replaces the entry with the same key.</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the entry is stored.</returns>
    ValueTask SetAsync(SemanticCacheEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Removes the entries the description selects (every condition on it holds).</summary>
    /// <param name="selection">Which entries to remove: a conjunction of field conditions (see <see cref="SemanticCacheInvalidation"/>).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number of entries removed.</returns>
    ValueTask<int> InvalidateAsync(SemanticCacheInvalidation selection, CancellationToken cancellationToken = default);
}
