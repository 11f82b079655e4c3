using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LlmOps.Telemetry;

/// <summary>
/// The <see cref="System.Diagnostics.ActivitySource"/> and <see cref="System.Diagnostics.Metrics.Meter"/>
/// (both named <see cref="SourceName"/>) through which every LlmOps stage emits OpenTelemetry data.
/// </summary>
/// <remarks>
/// <para>
/// Subscribe with OpenTelemetry's <c>AddSource("LlmOps")</c> and <c>AddMeter("LlmOps")</c>. LlmOps takes no
/// exporter dependency. Instruments follow the OpenTelemetry GenAI semantic conventions where one exists
/// (<c>gen_ai.client.*</c>) and use the <c>llmops.*</c> prefix otherwise.
/// </para>
/// <para>
/// <see cref="Shared"/> is used when no instance is registered in DI. <c>AddLlmOps()</c> registers one built
/// from <see cref="IMeterFactory"/> when the host provides it. Tests can create a private instance and
/// listen to its <see cref="Meter"/> only.
/// </para>
/// </remarks>
public sealed class LlmOpsTelemetry : IDisposable
{
    /// <summary>The name of the activity source and the meter: <c>LlmOps</c>.</summary>
    public const string SourceName = "LlmOps";

    private readonly ConcurrentDictionary<string, Instrument> _instruments = new(StringComparer.Ordinal);
    private readonly bool _ownsMeter;

    /// <summary>Initializes a new instance of the <see cref="LlmOpsTelemetry"/> class.</summary>
    /// <param name="meterFactory">Creates the meter; when <see langword="null"/> the instance creates and owns its own meter.</param>
    public LlmOpsTelemetry(IMeterFactory? meterFactory = null)
    {
        var version = typeof(LlmOpsTelemetry).Assembly.GetName().Version?.ToString();
        ActivitySource = new ActivitySource(SourceName, version);
        if (meterFactory is null)
        {
            Meter = new Meter(SourceName, version);
            _ownsMeter = true;
        }
        else
        {
            Meter = meterFactory.Create(new MeterOptions(SourceName) { Version = version });
        }

        OperationDuration = GetOrCreateHistogram<double>(
            LlmOpsTelemetryNames.OperationDuration, "s", "Duration of a chat request through the LlmOps pipeline.");
        TokenUsage = GetOrCreateHistogram<long>(
            LlmOpsTelemetryNames.TokenUsage, "{token}", "Tokens used by a chat request, tagged by gen_ai.token.type (input, output).");
        TimeToFirstToken = GetOrCreateHistogram<double>(
            LlmOpsTelemetryNames.TimeToFirstToken, "s", "Time from the request to the first content chunk (the whole response when not streaming).");
        OutputTokensPerSecond = GetOrCreateHistogram<double>(
            LlmOpsTelemetryNames.OutputTokensPerSecond, "{token}/s", "Output tokens over the generation time after the first token.");
        Requests = GetOrCreateCounter<long>(
            LlmOpsTelemetryNames.Requests, "{request}", "Chat requests, tagged by llmops.outcome (success, error, cancelled).");
    }

    /// <summary>Gets the instance used when none is registered: process-wide, never disposed.</summary>
    public static LlmOpsTelemetry Shared { get; } = new();

    /// <summary>Gets the activity source named <c>LlmOps</c>.</summary>
    public ActivitySource ActivitySource { get; }

    /// <summary>Gets the meter named <c>LlmOps</c>.</summary>
    public Meter Meter { get; }

    internal Histogram<double> OperationDuration { get; }

    internal Histogram<long> TokenUsage { get; }

    internal Histogram<double> TimeToFirstToken { get; }

    internal Histogram<double> OutputTokensPerSecond { get; }

    internal Counter<long> Requests { get; }

    /// <summary>
    /// Gets the histogram with the given name, creating it once. Stages share instruments through this
    /// method, so two decorators recording <c>llmops.client.cost</c> feed one instrument.
    /// </summary>
    /// <typeparam name="T">The measurement type.</typeparam>
    /// <param name="name">The instrument name.</param>
    /// <param name="unit">The UCUM unit, for example <c>s</c> or <c>{token}</c>.</param>
    /// <param name="description">A one-line description.</param>
    /// <returns>The histogram.</returns>
    /// <exception cref="InvalidOperationException">An instrument of another kind already has this name.</exception>
    public Histogram<T> GetOrCreateHistogram<T>(string name, string? unit = null, string? description = null)
        where T : struct
        => GetOrCreate<Histogram<T>>(name, () => Meter.CreateHistogram<T>(name, unit, description));

    /// <summary>Gets the counter with the given name, creating it once.</summary>
    /// <typeparam name="T">The measurement type.</typeparam>
    /// <param name="name">The instrument name.</param>
    /// <param name="unit">The UCUM unit.</param>
    /// <param name="description">A one-line description.</param>
    /// <returns>The counter.</returns>
    /// <exception cref="InvalidOperationException">An instrument of another kind already has this name.</exception>
    public Counter<T> GetOrCreateCounter<T>(string name, string? unit = null, string? description = null)
        where T : struct
        => GetOrCreate<Counter<T>>(name, () => Meter.CreateCounter<T>(name, unit, description));

    /// <inheritdoc/>
    public void Dispose()
    {
        ActivitySource.Dispose();
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }

    private TInstrument GetOrCreate<TInstrument>(string name, Func<TInstrument> create)
        where TInstrument : Instrument
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var instrument = _instruments.GetOrAdd(name, static (_, c) => c(), create);
        return instrument as TInstrument
            ?? throw new InvalidOperationException(
                $"The instrument '{name}' already exists as a {instrument.GetType().Name}; use that kind or choose another name.");
    }
}
