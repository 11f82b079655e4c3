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
    // Six ten-second segments: a sliding minute that frees capacity gradually rather than all at once.
    private const int SegmentsPerMinute = 6;
    private static readonly TimeSpan Segment = TimeSpan.FromSeconds(60.0 / SegmentsPerMinute);

    private readonly TimeProvider _time;
    private readonly Lock _windowGate = new();
    private readonly SlidingWindowRateLimiter? _requests;
    private readonly SlidingWindowRateLimiter? _tokens;
    private readonly int _requestLimit;
    private readonly int _tokenLimit;
    private DateTimeOffset _nextSegment;
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
        _nextSegment = time.GetUtcNow() + Segment;
        if (options.RequestsPerMinute is { } rpm)
        {
            _requestLimit = rpm;
            _requests = NewWindow(rpm);
        }

        if (options.TokensPerMinute is { } tpm)
        {
            _tokenLimit = tpm;
            _tokens = NewWindow(tpm);
        }
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

    public ResiliencePipeline Pipeline { get; set; } = ResiliencePipeline.Empty;

    /// <summary>Gets the groups this deployment serves, for the last-healthy rule.</summary>
    public List<RoutedGroup> Groups { get; } = [];

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Gets the latency average in seconds, or NaN before the first sample.</summary>
    public double LatencyEwma => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _latencyEwmaBits));

    public bool HasTokenLimit => _tokens is not null;

    public bool HasLimits => _requests is not null || _tokens is not null;

    /// <summary>Gets or sets when an open circuit's cooldown ends (Polly moves it to half-open on the next attempt after it).</summary>
    public DateTimeOffset OpenUntil { get; set; }

    /// <summary>Gets a value indicating whether the circuit lets an attempt through: closed, half-open, or open with its cooldown over.</summary>
    public bool IsAvailable => Circuit.CircuitState switch
    {
        CircuitState.Closed or CircuitState.HalfOpen => true,
        CircuitState.Open => _time.GetUtcNow() >= OpenUntil,
        _ => false,
    };

    public void Enter() => Interlocked.Increment(ref _inFlight);

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Adds a latency sample to the moving average (weight 0.2 for the newest sample).</summary>
    public void RecordLatency(TimeSpan latency)
    {
        const double Alpha = 0.2;
        var sample = latency.TotalSeconds;
        while (true)
        {
            var bits = Interlocked.Read(ref _latencyEwmaBits);
            var old = BitConverter.Int64BitsToDouble(bits);
            var next = double.IsNaN(old) ? sample : (Alpha * sample) + ((1 - Alpha) * old);
            if (Interlocked.CompareExchange(ref _latencyEwmaBits, BitConverter.DoubleToInt64Bits(next), bits) == bits)
            {
                return;
            }
        }
    }

    /// <summary>Gets the largest share of the RPM or TPM limit in use in the current window (0 when unlimited).</summary>
    public double Usage(int tokens)
    {
        if (!HasLimits)
        {
            return 0;
        }

        Roll();
        var share = 0.0;
        if (_requests is not null)
        {
            share = Math.Max(share, 1.0 - ((_requests.GetStatistics()!.CurrentAvailablePermits - 1.0) / _requestLimit));
        }

        if (_tokens is not null)
        {
            share = Math.Max(share, 1.0 - ((_tokens.GetStatistics()!.CurrentAvailablePermits - (double)tokens) / _tokenLimit));
        }

        return share;
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
            if (_tokens is not null && tokens > _tokenLimit)
            {
                return false;
            }

            // Every acquisition goes through this lock, so checking both windows first makes the pair atomic
            // (a sliding window never takes back a permit once acquired).
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
        _requests?.Dispose();
        _tokens?.Dispose();
    }

    private static SlidingWindowRateLimiter NewWindow(int limit) => new(new SlidingWindowRateLimiterOptions
    {
        PermitLimit = limit,
        Window = TimeSpan.FromMinutes(1),
        SegmentsPerWindow = SegmentsPerMinute,
        QueueLimit = 0,
        // Replenished from the injected clock (Roll), so tests on a fake clock are deterministic.
        AutoReplenishment = false,
    });

    private void Roll()
    {
        lock (_windowGate)
        {
            RollLocked();
        }
    }

    private void RollLocked()
    {
        var now = _time.GetUtcNow();
        var steps = 0;
        while (now >= _nextSegment && steps < SegmentsPerMinute)
        {
            _requests?.TryReplenish();
            _tokens?.TryReplenish();
            _nextSegment += Segment;
            steps++;
        }

        if (now >= _nextSegment)
        {
            // A whole window passed: every permit is back; realign the segment clock.
            _nextSegment = now + Segment;
        }
    }
}
