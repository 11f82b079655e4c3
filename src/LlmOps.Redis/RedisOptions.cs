using System.Globalization;
using LlmOps.DependencyInjection;

namespace LlmOps.Redis;

/// <summary>Options of the Redis stores (<c>AddRedis</c>): where Redis is, how keys are named, leases and waits.</summary>
public sealed class RedisOptions : IValidatableOptions
{
    /// <summary>The largest budget limit the Redis budget store can hold exactly, in USD (2^53 nano-dollars).</summary>
    public const decimal MaxLimit = 9_007_199m;

    /// <summary>Gets or sets the StackExchange.Redis configuration string (for example <c>localhost:6379</c>, or several cluster seeds).</summary>
    /// <value>The default value is <see langword="null"/> (required unless a connection is registered in the services).</value>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the connection may be made lazily: when <see langword="false"/> (the
    /// default), a Redis that cannot be reached fails the application at startup with a message naming the host; when
    /// <see langword="true"/>, startup goes on and the stores follow their outage policy until Redis answers.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool LazyConnect { get; set; }

    /// <summary>Gets or sets the prefix of every key the stores write, so several applications can share one Redis.</summary>
    /// <value>The default value is <c>llmops</c>.</value>
    public string KeyPrefix { get; set; } = "llmops";

    /// <summary>
    /// Gets or sets how long a budget reservation is held when its instance never settles it (it crashed): after the lease,
    /// the next reservation in the same tenant releases it. Set it above the longest call you make.
    /// </summary>
    /// <value>The default value is 10 minutes.</value>
    public TimeSpan BudgetLease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Gets or sets a value indicating whether every budget key shares one hash slot. Leave it off when every budget
    /// names a tenant (a name or <c>*</c>): keys are then tagged by tenant and spread over a Redis Cluster, and a
    /// tenant's nested budgets (tenant, user, feature) stay in one slot. Turn it on when a budget without a tenant
    /// (a global cap) must be checked together with tenant budgets on a Redis Cluster.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool BudgetsInOneSlot { get; set; }

    /// <summary>Gets or sets the longest time an instance waits for another instance's identical in-flight request before calling the provider itself.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan SingleFlightWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how long the lease of an instance that leads a single-flight lives without renewal. The leader renews
    /// it every third of this while its call runs, so this bounds how long waiters wait for a leader that died (a crash,
    /// <c>kill -9</c>) before they call the provider themselves.
    /// </summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan SingleFlightLease { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how often a waiting instance checks whether the leading instance has stored its answer.</summary>
    /// <value>The default value is 25 milliseconds.</value>
    public TimeSpan SingleFlightPollInterval { get; set; } = TimeSpan.FromMilliseconds(25);

    /// <summary>Gets or sets how long a semantic cache change stream keeps entries (approximate, by count).</summary>
    /// <value>The default value is 100000.</value>
    public int ChangeStreamMaxLength { get; set; } = 100_000;

    /// <inheritdoc/>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(KeyPrefix) || KeyPrefix.Contains('{', StringComparison.Ordinal) || KeyPrefix.Contains('}', StringComparison.Ordinal))
        {
            errors.Add($"RedisOptions.KeyPrefix must be a non-empty string without braces (they are hash tags); was '{KeyPrefix}'.");
        }

        if (BudgetLease <= TimeSpan.Zero || BudgetLease > TimeSpan.FromDays(7))
        {
            errors.Add($"RedisOptions.BudgetLease must be in (0, 7 days]; was {Format(BudgetLease)}.");
        }

        if (SingleFlightWait < TimeSpan.Zero || SingleFlightWait > TimeSpan.FromMinutes(10))
        {
            errors.Add($"RedisOptions.SingleFlightWait must be in [0, 10 minutes]; was {Format(SingleFlightWait)}.");
        }

        if (SingleFlightLease < TimeSpan.FromMilliseconds(100) || SingleFlightLease > TimeSpan.FromMinutes(10))
        {
            errors.Add($"RedisOptions.SingleFlightLease must be in [100 ms, 10 minutes]; was {Format(SingleFlightLease)}.");
        }

        if (SingleFlightPollInterval <= TimeSpan.Zero || SingleFlightPollInterval > TimeSpan.FromSeconds(10))
        {
            errors.Add($"RedisOptions.SingleFlightPollInterval must be in (0, 10 s]; was {Format(SingleFlightPollInterval)}.");
        }

        if (ChangeStreamMaxLength < 100)
        {
            errors.Add($"RedisOptions.ChangeStreamMaxLength must be at least 100; was {ChangeStreamMaxLength}.");
        }

        return errors;

        static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
    }
}
