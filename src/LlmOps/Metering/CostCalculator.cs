using Microsoft.Extensions.AI;

namespace LlmOps.Metering;

/// <summary>
/// Prices token usage with the <see cref="ModelCatalog"/>:
/// <c>C = T_input·P_input + T_cached·P_cached + T_output·P_output + G_time·C_gpu</c>, in <see langword="decimal"/>,
/// prices per 1M tokens. Thread-safe.
/// </summary>
/// <remarks>
/// <see cref="UsageDetails.InputTokenCount"/> includes the cached tokens (as providers report it), so
/// <c>T_input</c> is the input count minus <see cref="UsageDetails.CachedInputTokenCount"/>. Cached tokens are
/// priced at the cached-input price, or at the input price when the model has none. The result is not rounded.
/// </remarks>
public sealed class CostCalculator
{
    /// <summary>
    /// The key of <see cref="UsageDetails.AdditionalCounts"/> under which a self-hosted provider may report the GPU
    /// time of a call, in milliseconds: <c>llmops.gpu_time_ms</c>. It takes precedence over the measured wall time.
    /// </summary>
    public const string GpuTimeMillisecondsKey = "llmops.gpu_time_ms";

    private const decimal Million = 1_000_000m;

    /// <summary>Initializes a new instance of the <see cref="CostCalculator"/> class.</summary>
    /// <param name="catalog">The catalog; <see cref="ModelCatalog.Default"/> when <see langword="null"/>.</param>
    public CostCalculator(ModelCatalog? catalog = null)
    {
        Catalog = catalog ?? ModelCatalog.Default;
    }

    /// <summary>Gets the catalog used for prices.</summary>
    public ModelCatalog Catalog { get; }

    /// <summary>Computes the cost of a call from its token counts.</summary>
    /// <param name="modelId">The model id.</param>
    /// <param name="inputTokens">Uncached input tokens.</param>
    /// <param name="cachedInputTokens">Cached input tokens.</param>
    /// <param name="outputTokens">Output tokens.</param>
    /// <param name="gpuTime">GPU time, charged only when the model has a GPU price.</param>
    /// <param name="at">When the call was made, for prices with an effective date; <see langword="null"/> for the newest.</param>
    /// <returns>The cost record (request id and scope unset, complete; estimated only when the model is not in the catalog).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count or the GPU time is negative.</exception>
    public CostRecord Calculate(
        string? modelId, long inputTokens, long cachedInputTokens, long outputTokens, TimeSpan gpuTime = default, DateTimeOffset? at = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(cachedInputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(outputTokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(gpuTime, TimeSpan.Zero);

        var cost = Compute(modelId, inputTokens, cachedInputTokens, outputTokens, static gpu => gpu, gpuTime, at, out var model, out var charged);
        return new CostRecord
        {
            Model = model.ModelId,
            Tier = model.Tier,
            InputTokens = inputTokens,
            CachedInputTokens = cachedInputTokens,
            OutputTokens = outputTokens,
            GpuTime = charged,
            Cost = cost,
            PriceSource = model.Source,
            PricedAs = model.Definition?.Name,
            IsEstimated = model.Definition is null,
            Timestamp = at ?? default,
        };
    }

    /// <summary>Computes the cost of a call from the usage a provider reported.</summary>
    /// <param name="modelId">The model id.</param>
    /// <param name="usage">The usage; missing counts are 0.</param>
    /// <param name="gpuTime">The measured GPU time; a count under <see cref="GpuTimeMillisecondsKey"/> in <paramref name="usage"/> wins.</param>
    /// <param name="at">When the call was made; <see langword="null"/> for the newest prices.</param>
    /// <returns>The cost record.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="usage"/> is <see langword="null"/>.</exception>
    public CostRecord Calculate(string? modelId, UsageDetails usage, TimeSpan gpuTime = default, DateTimeOffset? at = null)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var (input, cached) = SplitInput(usage);
        return Calculate(modelId, input, cached, Math.Max(0, usage.OutputTokenCount ?? 0), ReportedGpuTime(usage) ?? gpuTime, at);
    }

    /// <summary>Computes the worst-case cost of a call, for budget reservations.</summary>
    /// <param name="modelId">The model id.</param>
    /// <param name="inputTokens">The input tokens.</param>
    /// <param name="maxOutputTokens">The most output tokens the call can produce.</param>
    /// <param name="at">When the call is made.</param>
    /// <returns>
    /// The cost in USD. A model not in the catalog is reserved at <see cref="ModelCatalog.ReservationPrice"/>, never 0;
    /// 0 only when the catalog has no price at all.
    /// </returns>
    public decimal WorstCase(string? modelId, long inputTokens, long maxOutputTokens, DateTimeOffset? at = null)
    {
        var model = Catalog.Resolve(modelId, at);
        var price = model.Definition is null ? Catalog.ReservationPrice : model.Price;
        return price is null ? 0m : DivideByMillion(Math.Max(0, inputTokens) * price.Input + Math.Max(0, maxOutputTokens) * price.Output);
    }

    /// <summary>Prices validated counts; lets the metering client build its record in one allocation.</summary>
    /// <remarks>
    /// <paramref name="gpuTime"/> is called only for a model priced per GPU second (it may read the clock); a negative
    /// time counts as zero.
    /// </remarks>
    internal decimal Compute<TState>(
        string? modelId, long input, long cached, long output, Func<TState, TimeSpan> gpuTime, TState state, DateTimeOffset? at, out ResolvedModel model, out TimeSpan charged)
    {
        model = Catalog.Resolve(modelId, at);
        var price = model.Price;
        charged = price?.GpuPerSecond is null ? TimeSpan.Zero : gpuTime(state) is var gpu && gpu > TimeSpan.Zero ? gpu : TimeSpan.Zero;
        return price is null ? 0m : Price(price, input, cached, output, charged);
    }

    internal static (long Input, long Cached) SplitInput(UsageDetails usage)
    {
        var total = Math.Max(0, usage.InputTokenCount ?? usage.CachedInputTokenCount ?? 0);
        var cached = Math.Clamp(usage.CachedInputTokenCount ?? 0, 0, total);
        return (total - cached, cached);
    }

    internal static TimeSpan? ReportedGpuTime(UsageDetails usage)
        => usage.AdditionalCounts?.TryGetValue(GpuTimeMillisecondsKey, out var ms) == true && ms >= 0 ? TimeSpan.FromMilliseconds(ms) : null;

    /// <summary>
    /// <paramref name="value"/> / 1,000,000: the same <see cref="decimal"/>, value and scale, as the division returns (its
    /// exact quotient, with trailing zeros removed down to the dividend's scale, which <c>ToString</c> and JSON show).
    /// </summary>
    /// <remarks>
    /// For a 64-bit mantissa with room for six more decimal places, which covers every realistic token cost, this moves
    /// the scale and strips trailing zeros from the mantissa: a fraction of the cost of <see cref="decimal"/> division,
    /// which was 2-3 % of a whole-pipeline pass-through request. Anything else is divided.
    /// </remarks>
    /// <param name="value">The amount in millionths.</param>
    /// <returns>The amount.</returns>
    internal static decimal DivideByMillion(decimal value)
    {
        const int Digits = 6;
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        if (bits[2] != 0 || scale > 28 - Digits)
        {
            return value / Million;
        }

        var mantissa = (ulong)(uint)bits[0] | ((ulong)(uint)bits[1] << 32);
        var newScale = scale + Digits;
        while (newScale > scale && mantissa % 10 == 0)
        {
            mantissa /= 10;
            newScale--;
        }

        return new decimal((int)mantissa, (int)(mantissa >> 32), 0, bits[3] < 0, (byte)newScale);
    }

    private static decimal Price(ModelPrice price, long input, long cached, long output, TimeSpan gpu)
    {
        // No cached tokens and no cached price: that term is a zero at the input price's scale, which changes neither the
        // sum's value nor its scale, so it is left out (a decimal multiplication and addition saved).
        var tokens = cached == 0 && price.CachedInput is null
            ? (input * price.Input) + (output * price.Output)
            : (input * price.Input) + (cached * (price.CachedInput ?? price.Input)) + (output * price.Output);
        var cost = DivideByMillion(tokens);
        if (price.GpuPerSecond is { } perSecond && gpu > TimeSpan.Zero)
        {
            // Ticks keep GPU time exact in decimal (1 tick = 100 ns).
            cost += gpu.Ticks * perSecond / TimeSpan.TicksPerSecond;
        }

        return cost;
    }
}
