namespace LlmOps.Metering;

/// <summary>
/// Where <see cref="BudgetManager"/> keeps spend and reservations. The embedded default is
/// <see cref="InMemoryBudgetStore"/> (one process); a store on a shared engine (the <c>LlmOps.Redis</c> package) lets many
/// instances of an application enforce one budget.
/// </summary>
/// <remarks>
/// <para>
/// The manager decides which budgets apply and in which partition (tenant, user, feature); the store makes the check
/// and the reservation one atomic step across every partition of a request, so concurrent callers, on any instance,
/// can never overspend a limit: <see cref="Reserve"/> either reserves the amount in all partitions or in none.
/// </para>
/// <para>
/// Windows (<see cref="BudgetWindow"/>) are aligned to UTC calendar boundaries of the <c>now</c> passed in: spend resets
/// when a new window starts; reservations in flight stay held until they complete. A store that cannot reach its
/// engine must fail closed: throw from <see cref="Reserve"/> so that no unmetered call is made.
/// </para>
/// <para>
/// Each operation has a synchronous member and an asynchronous one. The embedded default completes in well under a
/// microsecond, so the asynchronous members default to the synchronous ones; a store on a network engine overrides
/// <see cref="ReserveAsync"/> and <see cref="CompleteAsync"/> so that no thread is blocked while the engine answers
/// (the metering stage uses them). Implementations must be thread-safe.
/// </para>
/// </remarks>
public interface IBudgetStore
{
    /// <summary>
    /// Atomically reserves <paramref name="amount"/> in every partition, or reserves nothing and throws
    /// <see cref="BudgetExceededException"/> naming the first partition without room.
    /// </summary>
    /// <param name="partitions">The partitions that apply to the request (at least one).</param>
    /// <param name="amount">The worst-case cost in USD; zero or more.</param>
    /// <param name="now">The current time (selects each budget's window).</param>
    /// <returns>The lease; the manager completes it exactly once.</returns>
    /// <exception cref="BudgetExceededException">A partition has no room for <paramref name="amount"/>.</exception>
    BudgetLease Reserve(IReadOnlyList<BudgetPartition> partitions, decimal amount, DateTimeOffset now);

    /// <summary>
    /// Completes a lease: removes its reservation from every partition and, when <paramref name="actualCost"/> is set,
    /// adds it to the spend of the window current at <paramref name="now"/>. A lease already completed (or expired and
    /// released by the store) never has its reservation removed twice; its actual cost is still recorded.
    /// </summary>
    /// <param name="lease">The lease from <see cref="Reserve"/>.</param>
    /// <param name="actualCost">The actual cost in USD, or <see langword="null"/> to release without spending.</param>
    /// <param name="now">The current time.</param>
    /// <returns>The soft thresholds crossed by this completion (each at most once per window and partition).</returns>
    IReadOnlyList<BudgetThresholdEventArgs> Complete(BudgetLease lease, decimal? actualCost, DateTimeOffset now);

    /// <summary>Asynchronously does what <see cref="Reserve"/> does, without blocking a thread while the store's engine answers.</summary>
    /// <param name="partitions">The partitions that apply to the request (at least one).</param>
    /// <param name="amount">The worst-case cost in USD; zero or more.</param>
    /// <param name="now">The current time (selects each budget's window).</param>
    /// <param name="cancellationToken">Checked before the reservation is sent; a reservation sent is never abandoned half-way.</param>
    /// <returns>The lease; the manager completes it exactly once.</returns>
    /// <exception cref="BudgetExceededException">A partition has no room for <paramref name="amount"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before anything was reserved.</exception>
    /// <remarks>The default implementation calls <see cref="Reserve"/>.</remarks>
    ValueTask<BudgetLease> ReserveAsync(IReadOnlyList<BudgetPartition> partitions, decimal amount, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Reserve(partitions, amount, now));
    }

    /// <summary>Asynchronously does what <see cref="Complete"/> does, without blocking a thread while the store's engine answers.</summary>
    /// <param name="lease">The lease from <see cref="Reserve"/> or <see cref="ReserveAsync"/>.</param>
    /// <param name="actualCost">The actual cost in USD, or <see langword="null"/> to release without spending.</param>
    /// <param name="now">The current time.</param>
    /// <returns>The soft thresholds crossed by this completion (each at most once per window and partition).</returns>
    /// <remarks>
    /// The default implementation calls <see cref="Complete"/>. It takes no cancellation token: a call that was made and
    /// paid for must be settled whatever happened to its caller.
    /// </remarks>
    ValueTask<IReadOnlyList<BudgetThresholdEventArgs>> CompleteAsync(BudgetLease lease, decimal? actualCost, DateTimeOffset now)
        => ValueTask.FromResult(Complete(lease, actualCost, now));

    /// <summary>Gets the state of each partition in its current window.</summary>
    /// <param name="partitions">The partitions.</param>
    /// <param name="now">The current time.</param>
    /// <returns>One status per partition, in order.</returns>
    IReadOnlyList<BudgetStatus> GetStatus(IReadOnlyList<BudgetPartition> partitions, DateTimeOffset now);
}
