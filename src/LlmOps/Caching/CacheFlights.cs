using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace LlmOps.Caching;

/// <summary>
/// Single-flight coordination for cold exact keys: the first request on a key leads (calls the provider), later
/// identical requests wait for the leader's outcome. A waiter is handed the leader's answer only when that answer is
/// shareable (the store policy accepted it); otherwise, or when its wait times out, the waiter goes on alone.
/// </summary>
/// <remarks>
/// A flight's task never faults: the outcome says why nothing was shared, so a leader's exception never reaches a
/// waiter unless the waiter asks for it (<see cref="SemanticCacheFlightFallback.FailFast"/>), and nothing is left
/// unobserved. The leader must call <see cref="Complete"/> exactly once, in a <c>finally</c>; until then every waiter
/// is bounded by its own timeout and token, so a leader that never completes costs a waiter its timeout, not a hang.
/// </remarks>
internal sealed class CacheFlights
{
    private readonly ConcurrentDictionary<SemanticCacheKey, Flight> _flights = new();
    private int _waiting;

    /// <summary>Gets the number of flights in the air (for tests).</summary>
    public int Count => _flights.Count;

    /// <summary>Gets the number of requests waiting on a flight right now (for tests).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Joins the flight for <paramref name="key"/>: returns the caller's own new flight when it leads, or the leader's.</summary>
    /// <param name="key">The exact key.</param>
    /// <param name="leads"><see langword="true"/> when the caller is now the leader and must <see cref="Complete"/> the flight.</param>
    /// <returns>The flight.</returns>
    public Flight Join(SemanticCacheKey key, out bool leads)
    {
        var own = new Flight();
        var flight = _flights.GetOrAdd(key, own);
        leads = ReferenceEquals(flight, own);
        return flight;
    }

    /// <summary>Waits for a leader's outcome, for at most <paramref name="timeout"/> on <paramref name="time"/>.</summary>
    /// <param name="flight">The leader's flight.</param>
    /// <param name="timeout">The longest wait, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <param name="time">The clock the timeout runs on.</param>
    /// <param name="cancellationToken">The waiter's own token: cancelling it ends this wait only, never the leader.</param>
    /// <returns>The leader's outcome, or <see cref="FlightOutcome.TimedOut"/>.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<FlightOutcome> WaitAsync(Flight flight, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            return await flight.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return FlightOutcome.TimedOut;
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    /// <summary>Ends a flight: removes it from the table and hands the outcome to its waiters. Idempotent.</summary>
    /// <param name="key">The exact key.</param>
    /// <param name="flight">The flight the caller leads.</param>
    /// <param name="outcome">What the waiters get.</param>
    public void Complete(SemanticCacheKey key, Flight flight, FlightOutcome outcome)
    {
        _flights.TryRemove(new KeyValuePair<SemanticCacheKey, Flight>(key, flight));
        flight.TrySetResult(outcome);
    }

    /// <summary>One in-flight request on a cold exact key.</summary>
    internal sealed class Flight : TaskCompletionSource<FlightOutcome>
    {
        private IAsyncDisposable? _remote;

        public Flight()
            : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
        }

        /// <summary>Holds the lease this flight's leader took across instances (<see cref="ISemanticCacheFlightCoordinator"/>).</summary>
        public void HoldRemote(IAsyncDisposable lease) => Volatile.Write(ref _remote, lease);

        /// <summary>Hands over the lease across instances, once: the caller disposes it.</summary>
        public IAsyncDisposable? TakeRemote() => Interlocked.Exchange(ref _remote, null);
    }
}

/// <summary>
/// What a leader hands its waiters: a shareable answer, or the reason there is none (and the leader's failure, when it
/// failed).
/// </summary>
/// <param name="Answer">The shareable answer, or <see langword="null"/>.</param>
/// <param name="Reason">Why nothing was shared, when <paramref name="Answer"/> is <see langword="null"/>.</param>
/// <param name="Failure">The leader's exception, when it failed.</param>
internal sealed record FlightOutcome(CachedAnswer? Answer, string? Reason, Exception? Failure)
{
    /// <summary>Gets the outcome of a wait that ran out of time.</summary>
    public static FlightOutcome TimedOut { get; } = new(null, "the wait for the identical in-flight request timed out (SemanticCacheOptions.SingleFlightTimeout)", null);

    /// <summary>Creates the outcome of a leader that produced a shareable answer.</summary>
    public static FlightOutcome Shared(CachedAnswer answer) => new(answer, null, null);

    /// <summary>Creates the outcome of a leader whose answer may not be shared.</summary>
    public static FlightOutcome NotShared(string reason, Exception? failure = null) => new(null, reason, failure);
}

/// <summary>An answer served from the cache or shared by a flight; <see cref="Entry"/> is <see langword="null"/> when it was not stored.</summary>
/// <param name="Response">The stored copy of the answer (never handed out: callers get copies).</param>
/// <param name="Updates">The stored copies of the streamed chunks, when the answer was streamed.</param>
/// <param name="Entry">The stored entry, or <see langword="null"/>.</param>
internal sealed record CachedAnswer(ChatResponse Response, IReadOnlyList<ChatResponseUpdate>? Updates, SemanticCacheEntry? Entry);
