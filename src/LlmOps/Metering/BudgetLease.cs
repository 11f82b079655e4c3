namespace LlmOps.Metering;

/// <summary>What an <see cref="IBudgetStore"/> returns for a reservation: the amount held, where, and the store's handle.</summary>
public sealed class BudgetLease
{
    /// <summary>Initializes a new instance of the <see cref="BudgetLease"/> class.</summary>
    /// <param name="id">The store's identifier of the lease (unique across instances for a shared store).</param>
    /// <param name="partitions">The partitions the amount is held in.</param>
    /// <param name="amount">The amount held in each partition, in USD.</param>
    /// <param name="thresholdsCrossed">The soft thresholds the reservation crossed; empty when none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> or <paramref name="partitions"/> is <see langword="null"/>.</exception>
    public BudgetLease(string id, IReadOnlyList<BudgetPartition> partitions, decimal amount, IReadOnlyList<BudgetThresholdEventArgs>? thresholdsCrossed = null)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(partitions);
        Id = id;
        Partitions = partitions;
        Amount = amount;
        ThresholdsCrossed = thresholdsCrossed ?? [];
    }

    /// <summary>Gets the store's identifier of the lease.</summary>
    public string Id { get; }

    /// <summary>Gets the partitions the amount is held in.</summary>
    public IReadOnlyList<BudgetPartition> Partitions { get; }

    /// <summary>Gets the amount held in each partition, in USD.</summary>
    public decimal Amount { get; }

    /// <summary>Gets the soft thresholds the reservation crossed.</summary>
    public IReadOnlyList<BudgetThresholdEventArgs> ThresholdsCrossed { get; }

    /// <summary>Gets or initializes state private to the store that made the lease (the manager never reads it).</summary>
    public object? StoreState { get; init; }
}
