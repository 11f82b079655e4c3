using LlmOps.DependencyInjection;
using Microsoft.Extensions.AI;

namespace LlmOps.Caching;

/// <summary>
/// Options for <see cref="SemanticCachingChatClient"/>, registered with <c>services.AddLlmOps().AddSemanticCache(o =&gt; …)</c>
/// and validated at startup (or when a client is created with options of its own).
/// </summary>
public sealed class SemanticCacheOptions : IValidatableOptions
{
    /// <summary>
    /// The default <see cref="SimilarityThreshold"/>: 0.65, chosen with the pair check (<see cref="SemanticCacheGuards.PairCheck"/>)
    /// on the authored training pairs (<c>data/cache-pairs/authors/</c>) by <c>tools/LlmOps.Caching.Training</c>: the
    /// threshold and the check's cutoff that serve the most paraphrases with at most 1% false hits, on scores each
    /// author's pairs get from a model trained on the other authors, with 0.65 as the lowest threshold allowed (below it,
    /// questions on unrelated topics reach the check). Many true paraphrases (rewordings, abbreviations, typos) score
    /// only 0.6–0.8 with all-MiniLM-L6-v2, while near misses ("from Rome to Milan" / "from Milan to Rome") score 0.95
    /// and more, so the threshold lets candidates in and the guards decide. Below the threshold, a candidate with the
    /// same words respelled is still served down to 0.30 (<see cref="SemanticCacheGuards.PairCheck"/>).
    /// </summary>
    public const float DefaultSimilarityThreshold = 0.65f;

    /// <summary>The default <see cref="SingleFlightTimeout"/>: 105 seconds.</summary>
    public static readonly TimeSpan DefaultSingleFlightTimeout = TimeSpan.FromSeconds(105);

    /// <summary>Gets or sets a value indicating whether the semantic tier runs (it also needs an embedding generator).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool EnableSemanticTier { get; set; } = true;

    /// <summary>
    /// Gets or sets the lowest cosine similarity at which a semantic candidate is considered. The guards still run.
    /// The default was calibrated with all-MiniLM-L6-v2 and the guards on; recalibrate with
    /// <see cref="SemanticCacheCalibrator.CalibrateThresholdAsync"/> for another embedding model or domain.
    /// </summary>
    /// <value>The default value is <see cref="DefaultSimilarityThreshold"/>.</value>
    public float SimilarityThreshold { get; set; } = DefaultSimilarityThreshold;

    /// <summary>
    /// Gets or sets the false-hit guards that a semantic candidate must pass: the lexical guards, then the trained pair
    /// check (<see cref="SemanticCacheGuards.PairCheck"/>). Remove <see cref="SemanticCacheGuards.PairCheck"/> to turn the
    /// check off (then raise <see cref="SimilarityThreshold"/>: the lexical guards alone were calibrated at 0.84).
    /// </summary>
    /// <value>The default value is <see cref="SemanticCacheGuards.All"/> (every lexical guard and the pair check).</value>
    public SemanticCacheGuards Guards { get; set; } = SemanticCacheGuards.All;

    /// <summary>
    /// Gets or sets how many semantic candidates are checked, most similar first: the first one at or above
    /// <see cref="SimilarityThreshold"/> that passes the guards (and the <see cref="Verifier"/>) is served, so a nearest
    /// candidate that the guards reject ("turn off dark mode") does not hide a farther true paraphrase.
    /// </summary>
    /// <value>The default value is 4. 1 checks only the nearest entry.</value>
    public int MaxCandidates { get; set; } = 4;

    /// <summary>
    /// Gets or sets a value indicating whether a complete non-streaming answer whose provider left
    /// <see cref="ChatResponse.FinishReason"/> empty is stored. Many providers and proxies omit it on a normal answer;
    /// an answer whose reason says truncated (<see cref="ChatFinishReason.Length"/>) or filtered is never stored.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool StoreResponsesWithoutFinishReason { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether a stream that ends without a finish reason is stored. A connection closed
    /// cleanly mid-answer looks exactly like that (the OpenAI client then yields no finish reason and no usage), so it
    /// is not stored by default.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool StoreStreamsWithoutFinishReason { get; set; }

    /// <summary>
    /// Gets or sets an optional last check on a semantic candidate that passed the threshold and the lexical guards,
    /// for example a cross-encoder or a small LLM judge. Return <see langword="false"/> to reject.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (no verifier).</value>
    public Func<CacheHitArguments, CancellationToken, ValueTask<bool>>? Verifier { get; set; }

    /// <summary>Gets or sets how long an entry lives; <see langword="null"/> for no expiry (LRU still applies).</summary>
    /// <value>The default value is one hour.</value>
    public TimeSpan? TimeToLive { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets the most entries the default in-memory store keeps (least recently used evicted first).</summary>
    /// <value>The default value is 10,000.</value>
    public int MaxEntries { get; set; } = 10_000;

    /// <summary>Gets or sets the highest temperature whose requests are cached; hotter requests bypass the cache.</summary>
    /// <value>The default value is 1.0.</value>
    public float MaxCacheableTemperature { get; set; } = 1.0f;

    /// <summary>
    /// Gets the finish reasons whose answers are stored. Length, content-filter and tool-call answers are not, by
    /// default. An answer without a finish reason follows <see cref="StoreResponsesWithoutFinishReason"/> and
    /// <see cref="StoreStreamsWithoutFinishReason"/>.
    /// </summary>
    /// <value>The default value holds <see cref="ChatFinishReason.Stop"/> only.</value>
    public ISet<ChatFinishReason> CacheableFinishReasons { get; } = new HashSet<ChatFinishReason> { ChatFinishReason.Stop };

    /// <summary>
    /// Gets or sets a value indicating whether the last user turn's text is kept on each entry
    /// (<see cref="SemanticCacheEntry.PromptText"/>), for a verifier that needs it or for debugging. Off by default:
    /// entries then hold hashes and embeddings only.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool StorePromptText { get; set; }

    /// <summary>Gets or sets a version mixed into every key; bump it to orphan every existing entry at once.</summary>
    /// <value>The default value is 1.</value>
    public int KeyVersion { get; set; } = 1;

    /// <summary>
    /// Gets or sets how to price the cached answer's tokens for <see cref="SemanticCacheResult.SavedCost"/>: model id and
    /// usage in, cost out (<see langword="null"/> when unknown). <c>AddSemanticCache()</c> wires the metering stage's
    /// cost calculator here when it is registered.
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/>: the metering stage's <see cref="Metering.CostCalculator"/> prices it
    /// when <c>AddCostMetering()</c> is registered; otherwise no saved cost is reported.
    /// </value>
    public Func<string?, UsageDetails, decimal?>? SavedCostEstimator { get; set; }

    /// <summary>
    /// Gets or sets how to read the prompt name and version that produced a request (keyed, and used by
    /// <see cref="SemanticCacheInvalidation.ForPrompt"/>).
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/>: the prompt stage's <see cref="Prompts.PromptProvenance"/> (name and
    /// version) is keyed when the request came through <c>UseLlmOps()</c> or <c>UsePromptRegistry()</c>.
    /// </value>
    public Func<LlmOpsInfo, ChatOptions?, SemanticCachePromptIdentity?>? PromptIdentity { get; set; }

    /// <summary>
    /// Gets or sets a check that reports an answer a guardrail blocked, so it is never stored. Finish reason
    /// <see cref="ChatFinishReason.ContentFilter"/> is never stored regardless.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<LlmOpsInfo, ChatResponse, bool>? IsBlocked { get; set; }

    /// <summary>
    /// Gets or sets the longest time a request waits for an identical in-flight request (single-flight) before it goes
    /// on alone (see <see cref="SingleFlightFallback"/>). The wait also ends with the waiter's own cancellation token;
    /// cancelling a waiter never cancels the request it waits for.
    /// </summary>
    /// <value>
    /// The default value is 105 seconds: a few seconds beyond the 100-second default timeout of <c>HttpClient</c>, which
    /// the OpenAI and Azure clients use. <see cref="Timeout.InfiniteTimeSpan"/> waits without a bound.
    /// </value>
    public TimeSpan SingleFlightTimeout { get; set; } = DefaultSingleFlightTimeout;

    /// <summary>
    /// Gets or sets what a request does when the identical request it waited on produced no answer that may be shared
    /// (it failed, was cancelled, or its answer may not be cached: blocked, truncated, filtered) or the wait timed out.
    /// A waiter is never handed an answer that the cache would not store.
    /// </summary>
    /// <value>The default value is <see cref="SemanticCacheFlightFallback.CallProvider"/>: the waiter calls the provider itself.</value>
    public SemanticCacheFlightFallback SingleFlightFallback { get; set; } = SemanticCacheFlightFallback.CallProvider;

    /// <summary>Checks the options and returns one message per bad option, naming the option and its value.</summary>
    /// <returns>The problems found; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (float.IsNaN(SimilarityThreshold) || SimilarityThreshold < -1f || SimilarityThreshold > 1f)
        {
            errors.Add($"SemanticCacheOptions.SimilarityThreshold must be a cosine similarity between -1 and 1 (it was {SimilarityThreshold}).");
        }

        if (TimeToLive is { } ttl && ttl <= TimeSpan.Zero)
        {
            errors.Add($"SemanticCacheOptions.TimeToLive must be positive, or null for no expiry (it was {ttl}).");
        }

        if (MaxEntries < 1)
        {
            errors.Add($"SemanticCacheOptions.MaxEntries must be at least 1 (it was {MaxEntries}).");
        }

        if (float.IsNaN(MaxCacheableTemperature) || MaxCacheableTemperature < 0f)
        {
            errors.Add($"SemanticCacheOptions.MaxCacheableTemperature must be 0 or more (it was {MaxCacheableTemperature}).");
        }

        if (CacheableFinishReasons.Count == 0)
        {
            errors.Add("SemanticCacheOptions.CacheableFinishReasons is empty, so nothing would ever be stored; keep ChatFinishReason.Stop in it.");
        }

        if (MaxCandidates is < 1 or > 64)
        {
            errors.Add($"SemanticCacheOptions.MaxCandidates must be between 1 and 64 (it was {MaxCandidates}).");
        }

        if (SingleFlightTimeout <= TimeSpan.Zero && SingleFlightTimeout != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"SemanticCacheOptions.SingleFlightTimeout must be positive, or Timeout.InfiniteTimeSpan to wait without a bound (it was {SingleFlightTimeout}).");
        }

        if (!Enum.IsDefined(SingleFlightFallback))
        {
            errors.Add($"SemanticCacheOptions.SingleFlightFallback must be CallProvider or FailFast (it was {SingleFlightFallback}).");
        }

        return errors;
    }

    internal SemanticCacheOptions Clone()
    {
        var clone = new SemanticCacheOptions
        {
            EnableSemanticTier = EnableSemanticTier,
            SimilarityThreshold = SimilarityThreshold,
            Guards = Guards,
            Verifier = Verifier,
            TimeToLive = TimeToLive,
            MaxEntries = MaxEntries,
            MaxCacheableTemperature = MaxCacheableTemperature,
            StorePromptText = StorePromptText,
            KeyVersion = KeyVersion,
            SavedCostEstimator = SavedCostEstimator,
            PromptIdentity = PromptIdentity,
            IsBlocked = IsBlocked,
            SingleFlightTimeout = SingleFlightTimeout,
            MaxCandidates = MaxCandidates,
            StoreResponsesWithoutFinishReason = StoreResponsesWithoutFinishReason,
            StoreStreamsWithoutFinishReason = StoreStreamsWithoutFinishReason,
            SingleFlightFallback = SingleFlightFallback,
        };
        clone.CacheableFinishReasons.Clear();
        foreach (var reason in CacheableFinishReasons)
        {
            clone.CacheableFinishReasons.Add(reason);
        }

        return clone;
    }
}
