namespace LlmOps.Metering;

/// <summary>
/// A worst-case amount held in one or more budgets by <see cref="BudgetManager.Reserve"/> or
/// <see cref="BudgetManager.ReserveAsync"/>. Exactly one of <see cref="Settle"/>, <see cref="Release"/>,
/// <see cref="SettleAsync"/> or <see cref="ReleaseAsync"/> takes effect; later calls do nothing. Disposing releases an
/// open reservation. Thread-safe.
/// </summary>
public sealed class BudgetReservation : IDisposable, IAsyncDisposable
{
    private readonly BudgetManager? _owner;
    private readonly BudgetLease? _lease;
    private int _done;

    internal BudgetReservation(BudgetManager? owner, BudgetLease? lease, decimal amount)
    {
        _owner = owner;
        _lease = lease;
        Amount = amount;
    }

    /// <summary>Gets the amount reserved, in USD.</summary>
    public decimal Amount { get; }

    /// <summary>Gets a value indicating whether the reservation was settled or released.</summary>
    public bool IsCompleted => Volatile.Read(ref _done) != 0;

    /// <summary>Replaces the reservation with the actual cost, which counts as spent in the current window.</summary>
    /// <param name="actualCost">The actual cost in USD.</param>
    /// <returns><see langword="true"/> when this call settled it; <see langword="false"/> when it was already completed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="actualCost"/> is negative.</exception>
    public bool Settle(decimal actualCost)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(actualCost);
        return Complete(actualCost);
    }

    /// <summary>Releases the reservation without spending anything.</summary>
    /// <returns><see langword="true"/> when this call released it.</returns>
    public bool Release() => Complete(null);

    /// <summary>Replaces the reservation with the actual cost without blocking a thread while a shared store answers.</summary>
    /// <param name="actualCost">The actual cost in USD.</param>
    /// <returns><see langword="true"/> when this call settled it; <see langword="false"/> when it was already completed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="actualCost"/> is negative.</exception>
    public ValueTask<bool> SettleAsync(decimal actualCost)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(actualCost);
        return CompleteAsync(actualCost);
    }

    /// <summary>Releases the reservation without spending anything, without blocking a thread while a shared store answers.</summary>
    /// <returns><see langword="true"/> when this call released it.</returns>
    public ValueTask<bool> ReleaseAsync() => CompleteAsync(null);

    /// <inheritdoc/>
    public void Dispose() => Release();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await ReleaseAsync().ConfigureAwait(false);

    private bool Complete(decimal? actual)
    {
        if (Interlocked.Exchange(ref _done, 1) != 0)
        {
            return false;
        }

        _owner?.Complete(_lease, actual);
        return true;
    }

    private async ValueTask<bool> CompleteAsync(decimal? actual)
    {
        if (Interlocked.Exchange(ref _done, 1) != 0)
        {
            return false;
        }

        if (_owner is not null)
        {
            await _owner.CompleteAsync(_lease, actual).ConfigureAwait(false);
        }

        return true;
    }
}
