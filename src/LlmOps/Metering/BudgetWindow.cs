namespace LlmOps.Metering;

/// <summary>The period after which a budget's spend resets. Windows are aligned to UTC calendar boundaries.</summary>
public enum BudgetWindow
{
    /// <summary>Never resets.</summary>
    Total = 0,

    /// <summary>Resets at the start of every UTC minute.</summary>
    Minute = 1,

    /// <summary>Resets at the start of every UTC hour.</summary>
    Hour = 2,

    /// <summary>Resets at 00:00 UTC every day.</summary>
    Day = 3,

    /// <summary>Resets at 00:00 UTC on the first day of every month.</summary>
    Month = 4,
}
