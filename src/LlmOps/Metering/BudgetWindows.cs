namespace LlmOps.Metering;

/// <summary>The UTC calendar windows of <see cref="BudgetWindow"/>, shared by every <see cref="IBudgetStore"/>.</summary>
internal static class BudgetWindows
{
    /// <summary>Returns the window that contains <paramref name="now"/>; <see cref="BudgetWindow.Total"/> has no end.</summary>
    public static (DateTimeOffset Start, DateTimeOffset? End) Of(BudgetWindow window, DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        return window switch
        {
            BudgetWindow.Total => (DateTimeOffset.MinValue, null),
            BudgetWindow.Minute => Span(new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, 0, TimeSpan.Zero), TimeSpan.FromMinutes(1)),
            BudgetWindow.Hour => Span(new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(1)),
            BudgetWindow.Day => Span(new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(1)),
            _ => MonthOf(utc),
        };

        static (DateTimeOffset, DateTimeOffset?) Span(DateTimeOffset start, TimeSpan length) => (start, start + length);

        static (DateTimeOffset, DateTimeOffset?) MonthOf(DateTimeOffset utc)
        {
            var start = new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
            return (start, start.AddMonths(1));
        }
    }

    /// <summary>Returns the soft thresholds of a budget as amounts (at most 32), ascending order kept as configured.</summary>
    public static decimal[] ThresholdAmounts(Budget budget) => budget.Limit <= 0 || budget.SoftThresholds is null
        ? []
        : budget.SoftThresholds.Take(32).Select(t => (decimal)t * budget.Limit).ToArray();
}
