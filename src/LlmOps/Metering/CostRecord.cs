namespace LlmOps.Metering;

/// <summary>
/// The cost of one provider attempt: what <c>response.GetCost()</c> returns and what the <see cref="ICostLedger"/>
/// stores. Money is in USD, as <see langword="decimal"/>, unrounded.
/// </summary>
/// <remarks>
/// Two records are equal when every property is equal (the request id compared as text, whichever way it was set).
/// </remarks>
public sealed record CostRecord
{
    private readonly string? _requestId;

    // A generated request id (LlmOpsInfo) is kept as its sequence number and formatted when read: metering a request whose
    // id nothing reads (the in-memory ledger keys on the number) allocates no string.
    private readonly ulong _generatedId;

    // The timestamp as its UTC ticks and its offset in minutes: a DateTimeOffset field takes 16 B (6 of them padding),
    // while these two pack with the other small fields, so a record is 168 B instead of 176.
    private readonly long _utcTicks;
    private readonly short _offsetMinutes;

    /// <summary>Gets the request id (<see cref="LlmOpsInfo.RequestId"/>); attempts of one request share it.</summary>
    /// <value>The default value is the empty string.</value>
    public string RequestId
    {
        get => _requestId ?? (_generatedId != 0 ? LlmOpsInfo.FormatGeneratedId(_generatedId) : string.Empty);
        init
        {
            _requestId = value;
            _generatedId = 0;
        }
    }

    /// <summary>Sets the request id from a <see cref="RequestKey"/> (a record rebuilt from a copy).</summary>
    internal (string? Text, ulong Generated) RequestKeyInit
    {
        init
        {
            _requestId = value.Text;
            _generatedId = value.Text is null ? value.Generated : 0;
        }
    }

    /// <summary>Sets the request id from the request's info: its generated sequence number, or the id it was given.</summary>
    internal LlmOpsInfo RequestOf
    {
        init
        {
            _generatedId = value.GeneratedSequence;
            _requestId = _generatedId == 0 ? value.RequestId : null;
        }
    }

    /// <summary>Gets the attempt number within the request, starting at 1 (retries, fallbacks and cascades add attempts).</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>Gets when the attempt started.</summary>
    public DateTimeOffset Timestamp
    {
        get => _offsetMinutes == 0
            ? new DateTimeOffset(new DateTime(_utcTicks, DateTimeKind.Utc))
            : new DateTimeOffset(_utcTicks + (_offsetMinutes * TimeSpan.TicksPerMinute), TimeSpan.FromMinutes(_offsetMinutes));
        init
        {
            _utcTicks = value.UtcTicks;
            _offsetMinutes = (short)value.TotalOffsetMinutes;
        }
    }

    /// <summary>Gets the scope (tenant, user, feature) of the request.</summary>
    public LlmOpsScope Scope { get; init; }

    /// <summary>Gets the model id that was priced.</summary>
    public string Model { get; init; } = string.Empty;

    /// <summary>
    /// Gets the catalog entry that priced the call (for example <c>gpt-4o-mini</c> for a reported
    /// <c>gpt-4o-mini-2024-07-18</c>), or <see langword="null"/> when the model is not in the catalog and was priced at
    /// the default tier or not at all.
    /// </summary>
    public string? PricedAs { get; init; }

    /// <summary>Gets the model's tier, or the empty tier when the model is unknown.</summary>
    public ModelTier Tier { get; init; }

    /// <summary>Gets the uncached input tokens.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the cached input tokens (priced at the cached-input price).</summary>
    public long CachedInputTokens { get; init; }

    /// <summary>Gets the output tokens (reasoning tokens included).</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the GPU time priced for self-hosted models, or <see cref="TimeSpan.Zero"/>.</summary>
    public TimeSpan GpuTime { get; init; }

    /// <summary>Gets the cost in USD.</summary>
    public decimal Cost { get; init; }

    /// <summary>Gets where the price came from; <see cref="PriceSource.Unpriced"/> means <see cref="Cost"/> is 0 because no price is known.</summary>
    public PriceSource PriceSource { get; init; }

    /// <summary>Gets a value indicating whether a price was found (the cost is real, not a placeholder 0).</summary>
    public bool IsPriced => PriceSource != PriceSource.Unpriced;

    /// <summary>
    /// Gets a value indicating whether the record is an estimate: a token count was counted with the tokenizer rather
    /// than reported by the provider, or the model is not in the catalog (priced at the default tier, or unpriced).
    /// </summary>
    public bool IsEstimated { get; init; }

    /// <summary>Gets a value indicating whether the call completed; <see langword="false"/> for a faulted, cancelled or abandoned call.</summary>
    public bool IsComplete { get; init; } = true;

    /// <summary>Gets the prompt name, when the prompts stage recorded one.</summary>
    public string? PromptName { get; init; }

    /// <summary>Gets the prompt version, when the prompts stage recorded one.</summary>
    public string? PromptVersion { get; init; }

    /// <summary>Gets the total token count (input, cached input and output).</summary>
    public long TotalTokens => InputTokens + CachedInputTokens + OutputTokens;

    /// <summary>
    /// Gets the key of the request id without formatting a generated one: (<see langword="null"/>, sequence number) for an
    /// id generated by this process (given as a number or as its text), otherwise (the text, 0).
    /// </summary>
    internal (string? Text, ulong Generated) RequestKey
    {
        get
        {
            if (_requestId is null)
            {
                return _generatedId == 0 ? (string.Empty, 0UL) : (null, _generatedId);
            }

            return LlmOpsInfo.TryParseGeneratedId(_requestId, out var sequence) ? (null, sequence) : (_requestId, 0UL);
        }
    }

    /// <inheritdoc/>
    public bool Equals(CostRecord? other)
        => ReferenceEquals(this, other)
        || (other is not null
            && RequestKey == other.RequestKey
            && Attempt == other.Attempt
            && Timestamp.Equals(other.Timestamp)
            && Scope.Equals(other.Scope)
            && string.Equals(Model, other.Model, StringComparison.Ordinal)
            && string.Equals(PricedAs, other.PricedAs, StringComparison.Ordinal)
            && Tier.Equals(other.Tier)
            && InputTokens == other.InputTokens
            && CachedInputTokens == other.CachedInputTokens
            && OutputTokens == other.OutputTokens
            && GpuTime == other.GpuTime
            && Cost == other.Cost
            && PriceSource == other.PriceSource
            && IsEstimated == other.IsEstimated
            && IsComplete == other.IsComplete
            && string.Equals(PromptName, other.PromptName, StringComparison.Ordinal)
            && string.Equals(PromptVersion, other.PromptVersion, StringComparison.Ordinal));

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(RequestKey, Attempt, Timestamp, Model, Cost, InputTokens, OutputTokens);
}
