namespace LlmOps.Metering;

/// <summary>
/// Thrown before any provider call when a request's worst-case cost does not fit in a budget. The message says
/// which budget and scope, the limit, the amount spent and reserved, and when the window resets.
/// </summary>
public sealed class BudgetExceededException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="BudgetExceededException"/> class.</summary>
    public BudgetExceededException()
        : this("The request would exceed a budget.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="BudgetExceededException"/> class.</summary>
    /// <param name="message">The message.</param>
    public BudgetExceededException(string message)
        : base(message)
    {
        Budget = new Budget(default, 0m);
    }

    /// <summary>Initializes a new instance of the <see cref="BudgetExceededException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public BudgetExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
        Budget = new Budget(default, 0m);
    }

    /// <summary>Initializes a new instance of the <see cref="BudgetExceededException"/> class from the budget's state.</summary>
    /// <param name="budget">The budget that is full.</param>
    /// <param name="scope">The scope (partition) whose limit would be exceeded.</param>
    /// <param name="spent">The amount spent in the current window.</param>
    /// <param name="reserved">The amount reserved by requests in flight.</param>
    /// <param name="requested">The worst-case cost of the rejected request.</param>
    /// <param name="resetsAt">When the window resets, or <see langword="null"/> for a total budget.</param>
    public BudgetExceededException(Budget budget, LlmOpsScope scope, decimal spent, decimal reserved, decimal requested, DateTimeOffset? resetsAt)
        : base(Format(budget, scope, spent, reserved, requested, resetsAt))
    {
        Budget = budget;
        Scope = scope;
        Spent = spent;
        Reserved = reserved;
        Requested = requested;
        ResetsAt = resetsAt;
    }

    /// <summary>Gets the budget that is full.</summary>
    public Budget Budget { get; }

    /// <summary>Gets the scope whose limit would be exceeded.</summary>
    public LlmOpsScope Scope { get; }

    /// <summary>Gets the limit in USD.</summary>
    public decimal Limit => Budget.Limit;

    /// <summary>Gets the amount spent in the current window, in USD.</summary>
    public decimal Spent { get; }

    /// <summary>Gets the amount reserved by requests in flight, in USD.</summary>
    public decimal Reserved { get; }

    /// <summary>Gets the worst-case cost of the rejected request, in USD.</summary>
    public decimal Requested { get; }

    /// <summary>Gets when the window resets, or <see langword="null"/> when the budget never resets.</summary>
    public DateTimeOffset? ResetsAt { get; }

    private static string Format(Budget budget, LlmOpsScope scope, decimal spent, decimal reserved, decimal requested, DateTimeOffset? resetsAt)
    {
        ArgumentNullException.ThrowIfNull(budget);
        var reset = resetsAt is { } r ? $"The window resets at {r:u}." : "The budget is a total and never resets; raise the limit to continue.";
        return $"Budget '{budget.DisplayName}' for scope ({scope}) would be exceeded: limit {Usd(budget.Limit)} USD per {budget.Window}, "
            + $"spent {Usd(spent)} USD, reserved {Usd(reserved)} USD, this request needs up to {Usd(requested)} USD. {reset} "
            + "Lower MaxOutputTokens, use a cheaper model, or raise the limit.";

        static string Usd(decimal value) => value.ToString("0.##########", System.Globalization.CultureInfo.InvariantCulture);
    }
}
