namespace LlmOps.Routing;

/// <summary>
/// The per-deployment resilience of <see cref="ModelRoutingChatClient"/>, built on Polly.Core: retries with exponential
/// backoff and jitter (honouring <c>Retry-After</c>), a circuit breaker per deployment, and timeouts.
/// </summary>
/// <remarks>
/// Which failures retry, fail over or surface is decided by <see cref="RoutingFailureClassifier"/> (see the README's
/// failure table). Retries and failover happen only before the first streamed chunk reaches the caller.
/// </remarks>
public sealed class RoutingResilienceOptions
{
    /// <summary>Gets or sets how many times a transient failure is retried on the same deployment before failing over.</summary>
    /// <value>The default value is 1.</value>
    public int MaxRetriesPerDeployment { get; set; } = 1;

    /// <summary>Gets or sets the base delay of the exponential backoff (with jitter) between two retries.</summary>
    /// <value>The default value is 500 ms.</value>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets the longest backoff delay.</summary>
    /// <value>The default value is 10 s.</value>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets the longest <c>Retry-After</c> honoured by waiting on the same deployment. A 429 or 503 that asks for
    /// longer fails over at once instead.
    /// </summary>
    /// <value>The default value is 10 s.</value>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the share of failed attempts, in the sampling window, that opens a deployment's circuit; in (0, 1].</summary>
    /// <value>The default value is 0.5.</value>
    public double CircuitFailureRatio { get; set; } = 0.5;

    /// <summary>Gets or sets the fewest attempts in the sampling window before the circuit may open; at least 2.</summary>
    /// <value>The default value is 5.</value>
    public int CircuitMinimumThroughput { get; set; } = 5;

    /// <summary>Gets or sets the circuit breaker's sampling window; at least 500 ms.</summary>
    /// <value>The default value is 30 s.</value>
    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long an open circuit cools a deployment down before one trial attempt; at least 500 ms.</summary>
    /// <value>The default value is 30 s.</value>
    public TimeSpan CooldownDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets a value indicating whether the last deployment of a group whose circuit is closed is kept in
    /// service: its failures do not open its circuit, so a burst never cools a whole group down at once. Client errors
    /// (400, 401, 403, 404, 422, content filter, context overflow) never count toward any circuit.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool KeepLastHealthyDeployment { get; set; } = true;

    /// <summary>Gets or sets the timeout of one non-streaming attempt; <see langword="null"/> for none.</summary>
    /// <value>The default value is 60 s.</value>
    public TimeSpan? AttemptTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets the timeout from the start of one streaming attempt to its first chunk; <see langword="null"/> for
    /// none. After the first chunk no routing timeout applies to the stream except <see cref="TotalTimeout"/>'s share
    /// before it.
    /// </summary>
    /// <value>The default value is 20 s.</value>
    public TimeSpan? TimeToFirstTokenTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Gets or sets the timeout of the whole request across every attempt and backoff: the whole call when not
    /// streaming, and the time to the first chunk when streaming. <see langword="null"/> for none.
    /// </summary>
    /// <value>The default value is 120 s.</value>
    public TimeSpan? TotalTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Gets or sets a source of randomness in [0, 1) for jitter and weighted shuffle, for tests.</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="Random.Shared"/>.</value>
    public Func<double>? Randomizer { get; set; }

    internal RoutingResilienceOptions Clone() => (RoutingResilienceOptions)MemberwiseClone();

    internal void Validate(List<string> errors)
    {
        const string P = "ModelRoutingOptions.Resilience.";
        if (MaxRetriesPerDeployment is < 0 or > 100)
        {
            errors.Add($"{P}MaxRetriesPerDeployment must be in [0, 100]; was {MaxRetriesPerDeployment}.");
        }

        Positive(RetryBaseDelay, nameof(RetryBaseDelay), allowZero: true);
        Positive(RetryMaxDelay, nameof(RetryMaxDelay), allowZero: true);
        Positive(MaxRetryAfter, nameof(MaxRetryAfter), allowZero: true);
        if (double.IsNaN(CircuitFailureRatio) || CircuitFailureRatio <= 0 || CircuitFailureRatio > 1)
        {
            errors.Add($"{P}CircuitFailureRatio must be in (0, 1]; was {CircuitFailureRatio}.");
        }

        if (CircuitMinimumThroughput < 2)
        {
            errors.Add($"{P}CircuitMinimumThroughput must be at least 2; was {CircuitMinimumThroughput}.");
        }

        AtLeast(CircuitSamplingDuration, nameof(CircuitSamplingDuration), TimeSpan.FromMilliseconds(500));
        AtLeast(CooldownDuration, nameof(CooldownDuration), TimeSpan.FromMilliseconds(500));
        Optional(AttemptTimeout, nameof(AttemptTimeout));
        Optional(TimeToFirstTokenTimeout, nameof(TimeToFirstTokenTimeout));
        Optional(TotalTimeout, nameof(TotalTimeout));

        void Positive(TimeSpan value, string name, bool allowZero)
        {
            if (value < TimeSpan.Zero || (!allowZero && value == TimeSpan.Zero))
            {
                errors.Add($"{P}{name} must be {(allowZero ? "zero or more" : "positive")}; was {value}.");
            }
        }

        void AtLeast(TimeSpan value, string name, TimeSpan min)
        {
            if (value < min)
            {
                errors.Add($"{P}{name} must be at least {min.TotalMilliseconds} ms; was {value}.");
            }
        }

        void Optional(TimeSpan? value, string name)
        {
            if (value is { } v && (v <= TimeSpan.Zero || v > TimeSpan.FromDays(1)))
            {
                errors.Add($"{P}{name} must be positive and at most one day, or null for none; was {v}.");
            }
        }
    }
}
