using System.Threading.RateLimiting;
using LlmOps.Metering;
using Microsoft.Extensions.AI;
using Polly;
using Polly.CircuitBreaker;

namespace LlmOps.Routing;

/// <summary>
/// The live state of one deployment inside a <see cref="ModelRoutingChatClient"/>: its client, its Polly pipeline (with
/// its own circuit breaker), requests in flight, latency average and RPM/TPM windows. Thread-safe.
/// </summary>
internal sealed class RoutedDeployment : IDisposable
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time;
    private readonly Lock _windowGate = new();
    private readonly int? _requestLimit;
    private readonly int? _tokenLimit;
    private FixedWindowRateLimiter? _requests;
    private FixedWindowRateLimiter? _tokens;
    private DateTimeOffset _windowEnd;
    private int _inFlight;
    private long _latencyEwmaBits = BitConverter.DoubleToInt64Bits(double.NaN);

    public RoutedDeployment(ModelDeployment options, IChatClient client, ResolvedModel model, TimeProvider time)
    {
        Name = options.Name;
        ModelId = options.ModelId;
        Client = client;
        Tier = options.Tier ?? model.Tier;
        Region = options.Region;
        Weight = options.Weight;
        ContextWindow = options.ContextWindow ?? model.Definition?.ContextWindow;
        PricePerMillion = model.Price is { } p ? p.Input + p.Output : decimal.MaxValue;
        _time = time;
        _requestLimit = options.RequestsPerMinute;
        _tokenLimit = options.TokensPerMinute;
        _windowEnd = time.GetUtcNow() + Minute;
        _requests = NewWindow(_requestLimit);
        _tokens = NewWindow(_tokenLimit);
    }

    public string Name { get; }

    public string ModelId { get; }

    public IChatClient Client { get; }

    public ModelTier Tier { get; }

    public string? Region { get; }

    public double Weight { get; }

    public int? ContextWindow { get; }

    /// <summary>Gets the input plus output price per 1M tokens, for <see cref="LoadBalancingStrategy.LowestCost"/>; <see cref="decimal.MaxValue"/> when unpriced.</summary>
    public decimal PricePerMillion { get; }

    public CircuitBreakerStateProvider Circuit { get; } = new();

    /// <summary>Gets or sets the deployment's pipeline, or <see langword="null"/> when no strategy could act (the attempt runs alone).</summary>
    public ResiliencePipeline? Pipeline { get; set; }

    /// <summary>Gets or sets a value indicating whether the pipeline has a circuit breaker (one that could open).</summary>
    public bool HasCircuit { get; set; } = true;

    /// <summary>Gets the circuit state; closed when the deployment has no circuit breaker.</summary>
    public CircuitState State => HasCircuit ? Circuit.CircuitState : CircuitState.Closed;

    /// <summary>Gets the groups this deployment serves, for the last-healthy rule.</summary>
    public List<RoutedGroup> Groups { get; } = [];

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Gets or sets a value indicating whether a group of several deployments picks among them by
    /// <see cref="LoadBalancingStrategy.LeastInFlight"/>: <see cref="InFlight"/> is counted only then (two interlocked
    /// operations per attempt that nothing would read otherwise).
    /// </summary>
    public bool TracksInFlight { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether a group of several deployments picks among them by
    /// <see cref="LoadBalancingStrategy.LatencyEwma"/>: <see cref="RecordLatency"/> keeps the average only then.
    /// </summary>
    public bool TracksLatency { get; set; }

    /// <summary>Gets the latency average in seconds, or NaN before the first sample.</summary>
    public double LatencyEwma => BitConverter.Int64BitsToDouble(Volatile.Read(ref _latencyEwmaBits));

    public bool HasTokenLimit => _tokenLimit is not null;

    public bool HasLimits => _requestLimit is not null || _tokenLimit is not null;

    /// <summary>Gets or sets when an open circuit's cooldown ends (Polly moves it to half-open on the next attempt after it).</summary>
    public DateTimeOffset OpenUntil { get; set; }

    /// <summary>Gets a value indicating whether the circuit lets an attempt through: closed, half-open, or open with its cooldown over.</summary>
    public bool IsAvailable => State switch
    {
        CircuitState.Closed or CircuitState.HalfOpen => true,
        CircuitState.Open => _time.GetUtcNow() >= OpenUntil,
        _ => false,
    };

    public void Enter()
    {
        if (TracksInFlight)
        {
            Interlocked.Increment(ref _inFlight);
        }
    }

    public void Exit()
    {
        if (TracksInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>Adds a latency sample to the moving average (weight 0.2 for the newest sample), when a group reads it.</summary>
    public void RecordLatency(TimeSpan latency)
    {
        if (!TracksLatency)
        {
            return;
        }

        const double Alpha = 0.2;
        var sample = latency.TotalSeconds;
        while (true)
        {
            // A plain atomic read: a value torn or changed meanwhile fails the exchange below, which then retries.
            var bits = Volatile.Read(ref _latencyEwmaBits);
            var old = BitConverter.Int64BitsToDouble(bits);
            var next = double.IsNaN(old) ? sample : (Alpha * sample) + ((1 - Alpha) * old);
            if (Interlocked.CompareExchange(ref _latencyEwmaBits, BitConverter.DoubleToInt64Bits(next), bits) == bits)
            {
                return;
            }
        }
    }

    /// <summary>Gets the largest share of the RPM or TPM limit in use in the current minute once this request is added (0 when unlimited).</summary>
    public double Usage(int tokens)
    {
        if (!HasLimits)
        {
            return 0;
        }

        lock (_windowGate)
        {
            RollLocked();
            var share = 0.0;
            if (_requests is not null)
            {
                share = Math.Max(share, 1.0 - ((_requests.GetStatistics()!.CurrentAvailablePermits - 1.0) / _requestLimit!.Value));
            }

            if (_tokens is not null)
            {
                share = Math.Max(share, 1.0 - ((_tokens.GetStatistics()!.CurrentAvailablePermits - (double)tokens) / _tokenLimit!.Value));
            }

            return share;
        }
    }

    /// <summary>Reserves one request and <paramref name="tokens"/> tokens in the current minute, or nothing.</summary>
    public bool TryAcquire(int tokens)
    {
        if (!HasLimits)
        {
            return true;
        }

        lock (_windowGate)
        {
            RollLocked();
            // Every acquisition goes through this lock, so checking both windows first makes the pair atomic
            // (a window limiter never takes back a permit once acquired).
            if ((_requests is not null && _requests.GetStatistics()!.CurrentAvailablePermits < 1)
                || (_tokens is not null && _tokens.GetStatistics()!.CurrentAvailablePermits < tokens))
            {
                return false;
            }

            using var request = _requests?.AttemptAcquire(1);
            using var lease = _tokens?.AttemptAcquire(Math.Max(0, tokens));
            return request?.IsAcquired != false && lease?.IsAcquired != false;
        }
    }

    public void Dispose()
    {
        lock (_windowGate)
        {
            _requests?.Dispose();
            _tokens?.Dispose();
        }
    }

    // The limiter counts permits; the window boundary comes from the injected clock (the limiters' own replenishment
    // reads the real clock), so a new minute starts a fresh pair of windows.
    private static FixedWindowRateLimiter? NewWindow(int? limit) => limit is { } l
        ? new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions { PermitLimit = l, Window = Minute, QueueLimit = 0, AutoReplenishment = false })
        : null;

    private void RollLocked()
    {
        var now = _time.GetUtcNow();
        if (now < _windowEnd)
        {
            return;
        }

        _requests?.Dispose();
        _tokens?.Dispose();
        _requests = NewWindow(_requestLimit);
        _tokens = NewWindow(_tokenLimit);
        _windowEnd = now + Minute;
    }
}
