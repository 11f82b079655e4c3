namespace LlmOps.Caching;

/// <summary>
/// An optional capability of an <see cref="ISemanticCacheStore"/> shared by several instances of an application:
/// single-flight across instances, so identical cold requests on different instances make one provider call.
/// <see cref="SemanticCachingChatClient"/> uses it when its store implements it (the in-memory default does not; one
/// process already shares one flight per key).
/// </summary>
/// <remarks>
/// <para>
/// The cache first joins its in-process flight for the exact key. Only the request that leads it on this instance asks
/// the coordinator: <see cref="TryLeadAsync"/> takes a lease on the key (in Redis, <c>SET NX PX</c>). When another
/// instance holds it, the request waits in <see cref="WaitForLeaderAsync"/> until that instance stores its answer (served
/// to this request and to its in-process waiters), ends without one, or the wait runs out; in the last two cases it calls
/// the provider itself (or fails fast, see <see cref="SemanticCacheOptions.SingleFlightFallback"/>).
/// </para>
/// <para>
/// A coordinator must never make a request hang or fail because of its engine: when the engine cannot be reached,
/// <see cref="TryLeadAsync"/> returns a lease that holds nothing (the request leads alone) and
/// <see cref="WaitForLeaderAsync"/> returns <see langword="null"/>. A lease whose holder dies must expire on its own.
/// </para>
/// </remarks>
public interface ISemanticCacheFlightCoordinator
{
    /// <summary>Tries to lead the flight for <paramref name="key"/> across instances.</summary>
    /// <param name="key">The exact key of the request.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>
    /// The lease when this instance now leads (dispose it once the answer is stored or the request ended, which lets the
    /// waiters go on at once); <see langword="null"/> when another instance leads.
    /// </returns>
    ValueTask<IAsyncDisposable?> TryLeadAsync(SemanticCacheKey key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits for the instance that leads the flight for <paramref name="key"/>: returns the entry it stored, or
    /// <see langword="null"/> when its lease ended without an entry (it failed, was cancelled, died, or its answer may not
    /// be cached) or <paramref name="timeout"/> (or the coordinator's own bound, if shorter) ran out.
    /// </summary>
    /// <param name="key">The exact key of the request.</param>
    /// <param name="timeout">The longest wait, or <see cref="Timeout.InfiniteTimeSpan"/> for the coordinator's own bound.</param>
    /// <param name="cancellationToken">The waiter's token: cancelling it ends this wait only, never the leader.</param>
    /// <returns>The stored entry, or <see langword="null"/>.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<SemanticCacheEntry?> WaitForLeaderAsync(SemanticCacheKey key, TimeSpan timeout, CancellationToken cancellationToken = default);
}
