using Microsoft.Extensions.AI;

namespace LlmOps.Testing;

/// <summary>
/// What a <see cref="ScriptedChatClient"/> answers when a rule matches: the text, how it streams, the usage it
/// reports, the simulated latency, and an optional fault. Instances are immutable; every <c>With…</c> method
/// returns a changed copy, so one response can be shared by many rules and concurrent calls.
/// </summary>
/// <example>
/// <code>
/// var reply = ScriptedResponse.FromText("Paris is the capital of France.")
///     .ChunkedByWords()
///     .WithLatency(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(20))
///     .WithUsage(inputTokens: 12, outputTokens: 7);
/// </code>
/// </example>
public sealed class ScriptedResponse
{
    private ScriptedResponse(string text)
    {
        Text = text;
    }

    private enum ChunkMode
    {
        Whole,
        Words,
        Characters,
        Explicit,
    }

    /// <summary>Gets the full response text (the concatenation of its chunks).</summary>
    public string Text { get; private set; }

    /// <summary>Gets the model id reported on the response.</summary>
    /// <value>The default is <see langword="null"/>: the request's <see cref="ChatOptions.ModelId"/>, else the client's default.</value>
    public string? ModelId { get; private set; }

    /// <summary>Gets the finish reason reported on the response.</summary>
    /// <value>The default value is <see cref="ChatFinishReason.Stop"/>.</value>
    public ChatFinishReason FinishReason { get; private set; } = ChatFinishReason.Stop;

    /// <summary>Gets the usage to report, or <see langword="null"/> to count it with the o200k_base tokenizer.</summary>
    /// <value>The default is <see langword="null"/> (counted).</value>
    public UsageDetails? Usage { get; private set; }

    /// <summary>Gets a value indicating whether usage is reported at all (on the response, and as a final
    /// <see cref="UsageContent"/> update when streaming).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool ReportsUsage { get; private set; } = true;

    /// <summary>Gets a value indicating whether a streaming call reports usage (when <see cref="ReportsUsage"/>) in a final <see cref="UsageContent"/> update.
    /// When <see langword="false"/>, only non-streaming calls report usage, like an OpenAI-style provider called without
    /// <c>stream_options.include_usage</c>.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool StreamsUsage { get; private set; } = true;

    /// <summary>Gets the simulated delay before the first chunk (or before the whole response when not streaming).</summary>
    /// <value>The default value is <see cref="TimeSpan.Zero"/>.</value>
    public TimeSpan FirstChunkLatency { get; private set; }

    /// <summary>Gets the simulated delay between two chunks.</summary>
    /// <value>The default value is <see cref="TimeSpan.Zero"/>.</value>
    public TimeSpan BetweenChunksLatency { get; private set; }

    /// <summary>Gets the number of chunks delivered before the stream faults, or <see langword="null"/> for no fault.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public int? FaultAfterChunkCount { get; private set; }

    private ChunkMode Mode { get; set; }

    private int ChunkSize { get; set; } = 1;

    private string[]? ExplicitChunks { get; set; }

    private Func<Exception>? Fault { get; set; }

    private Func<Exception>? FailureFactory { get; set; }

    /// <summary>Creates a response with the given text, delivered as one chunk.</summary>
    /// <param name="text">The response text.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static ScriptedResponse FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new ScriptedResponse(text);
    }

    /// <summary>Creates a response streamed as exactly these chunks; its text is their concatenation.</summary>
    /// <param name="chunks">The chunks, in order.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="chunks"/> or one of its items is <see langword="null"/>.</exception>
    public static ScriptedResponse FromChunks(params string[] chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        foreach (var chunk in chunks)
        {
            ArgumentNullException.ThrowIfNull(chunk, nameof(chunks));
        }

        return new ScriptedResponse(string.Concat(chunks)) { Mode = ChunkMode.Explicit, ExplicitChunks = [.. chunks] };
    }

    /// <summary>Creates a response that fails with <paramref name="exception"/> (after <see cref="FirstChunkLatency"/>).</summary>
    /// <param name="exception">The exception to throw. The same instance is thrown on every match; use
    /// <see cref="Failure(Func{Exception})"/> for a fresh one each time.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is <see langword="null"/>.</exception>
    public static ScriptedResponse Failure(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Failure(() => exception);
    }

    /// <summary>Creates a response that fails with an exception created by <paramref name="exceptionFactory"/> on every match.</summary>
    /// <param name="exceptionFactory">Creates the exception to throw.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="exceptionFactory"/> is <see langword="null"/>.</exception>
    public static ScriptedResponse Failure(Func<Exception> exceptionFactory)
    {
        ArgumentNullException.ThrowIfNull(exceptionFactory);
        return new ScriptedResponse(string.Empty) { FailureFactory = exceptionFactory };
    }

    /// <summary>Creates a response that fails like a provider's rate limit (see <see cref="ScriptedFault.RateLimit"/>).</summary>
    /// <returns>The response.</returns>
    public static ScriptedResponse RateLimited() => Failure(ScriptedFault.RateLimit);

    /// <summary>Creates a response that fails like a provider timeout (see <see cref="ScriptedFault.Timeout"/>).</summary>
    /// <returns>The response.</returns>
    public static ScriptedResponse TimedOut() => Failure(ScriptedFault.Timeout);

    /// <summary>Returns a copy streamed in chunks of <paramref name="wordsPerChunk"/> words; whitespace travels with the word after it.</summary>
    /// <param name="wordsPerChunk">The number of words per chunk.</param>
    /// <returns>The changed copy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="wordsPerChunk"/> is less than 1.</exception>
    public ScriptedResponse ChunkedByWords(int wordsPerChunk = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(wordsPerChunk, 1);
        var copy = Copy();
        copy.Mode = ChunkMode.Words;
        copy.ChunkSize = wordsPerChunk;
        return copy;
    }

    /// <summary>Returns a copy streamed in chunks of <paramref name="charactersPerChunk"/> characters (a surrogate pair is never split).</summary>
    /// <param name="charactersPerChunk">The number of characters per chunk.</param>
    /// <returns>The changed copy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="charactersPerChunk"/> is less than 1.</exception>
    public ScriptedResponse ChunkedByCharacters(int charactersPerChunk = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(charactersPerChunk, 1);
        var copy = Copy();
        copy.Mode = ChunkMode.Characters;
        copy.ChunkSize = charactersPerChunk;
        return copy;
    }

    /// <summary>Returns a copy that reports the given usage instead of counting it.</summary>
    /// <param name="inputTokens">The input token count.</param>
    /// <param name="outputTokens">The output token count.</param>
    /// <returns>The changed copy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    public ScriptedResponse WithUsage(long inputTokens, long outputTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(outputTokens);
        return WithUsage(new UsageDetails
        {
            InputTokenCount = inputTokens,
            OutputTokenCount = outputTokens,
            TotalTokenCount = inputTokens + outputTokens,
        });
    }

    /// <summary>Returns a copy that reports the given usage instead of counting it.</summary>
    /// <param name="usage">The usage; copied, so later changes to it are not seen.</param>
    /// <returns>The changed copy.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="usage"/> is <see langword="null"/>.</exception>
    public ScriptedResponse WithUsage(UsageDetails usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var copy = Copy();
        copy.Usage = CopyUsage(usage);
        copy.ReportsUsage = true;
        return copy;
    }

    /// <summary>Returns a copy that reports no usage at all, like a provider that omits it (streaming or not).</summary>
    /// <returns>The changed copy.</returns>
    public ScriptedResponse WithoutUsage()
    {
        var copy = Copy();
        copy.Usage = null;
        copy.ReportsUsage = false;
        return copy;
    }

    /// <summary>Returns a copy whose streaming calls report no usage (non-streaming calls still do), like a provider
    /// streaming without <c>stream_options.include_usage</c>. Use it to test code that must estimate tokens itself.</summary>
    /// <returns>The changed copy.</returns>
    public ScriptedResponse WithoutStreamingUsage()
    {
        var copy = Copy();
        copy.StreamsUsage = false;
        return copy;
    }

    /// <summary>Returns a copy that reports <paramref name="modelId"/> as the model that answered.</summary>
    /// <param name="modelId">The model id.</param>
    /// <returns>The changed copy.</returns>
    /// <exception cref="ArgumentException"><paramref name="modelId"/> is null or empty.</exception>
    public ScriptedResponse WithModelId(string modelId)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        var copy = Copy();
        copy.ModelId = modelId;
        return copy;
    }

    /// <summary>Returns a copy that reports the given finish reason (for example <see cref="ChatFinishReason.Length"/>).</summary>
    /// <param name="finishReason">The finish reason.</param>
    /// <returns>The changed copy.</returns>
    public ScriptedResponse WithFinishReason(ChatFinishReason finishReason)
    {
        var copy = Copy();
        copy.FinishReason = finishReason;
        return copy;
    }

    /// <summary>
    /// Returns a copy that waits <paramref name="firstChunk"/> before the first chunk and <paramref name="betweenChunks"/>
    /// between chunks. A non-streaming call waits the sum, so both paths take the same simulated time.
    /// </summary>
    /// <param name="firstChunk">The delay before the first chunk (time to first token).</param>
    /// <param name="betweenChunks">The delay between two chunks; <see cref="TimeSpan.Zero"/> when <see langword="null"/>.</param>
    /// <returns>The changed copy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A delay is negative.</exception>
    public ScriptedResponse WithLatency(TimeSpan firstChunk, TimeSpan? betweenChunks = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(firstChunk, TimeSpan.Zero);
        var between = betweenChunks ?? TimeSpan.Zero;
        ArgumentOutOfRangeException.ThrowIfLessThan(between, TimeSpan.Zero, nameof(betweenChunks));
        var copy = Copy();
        copy.FirstChunkLatency = firstChunk;
        copy.BetweenChunksLatency = between;
        return copy;
    }

    /// <summary>
    /// Returns a copy whose stream fails after delivering <paramref name="chunkCount"/> chunks (0 fails before the
    /// first). A non-streaming call fails too, after the latency of those chunks, since it cannot return a partial answer.
    /// </summary>
    /// <param name="chunkCount">The number of chunks delivered before the fault.</param>
    /// <param name="exceptionFactory">Creates the exception; <see cref="ScriptedFault.StreamFault(int)"/> when <see langword="null"/>.</param>
    /// <returns>The changed copy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkCount"/> is negative.</exception>
    public ScriptedResponse FaultAfterChunk(int chunkCount, Func<Exception>? exceptionFactory = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chunkCount);
        var copy = Copy();
        copy.FaultAfterChunkCount = chunkCount;
        copy.Fault = exceptionFactory ?? (() => ScriptedFault.StreamFault(chunkCount));
        return copy;
    }

    /// <summary>Splits <see cref="Text"/> into the chunks this response streams.</summary>
    /// <returns>The chunks; their concatenation is <see cref="Text"/>. Empty text has no chunks.</returns>
    public IReadOnlyList<string> GetChunks()
    {
        if (Mode == ChunkMode.Explicit)
        {
            return [.. ExplicitChunks!];
        }

        if (Text.Length == 0)
        {
            return [];
        }

        return Mode switch
        {
            ChunkMode.Words => SplitWords(Text, ChunkSize),
            ChunkMode.Characters => SplitCharacters(Text, ChunkSize),
            _ => [Text],
        };
    }

    internal bool IsFailure => FailureFactory is not null;

    internal Exception? CreateFailure() => FailureFactory?.Invoke();

    internal Exception CreateFault() => Fault!.Invoke();

    internal static UsageDetails CopyUsage(UsageDetails usage) => new()
    {
        InputTokenCount = usage.InputTokenCount,
        OutputTokenCount = usage.OutputTokenCount,
        TotalTokenCount = usage.TotalTokenCount,
        CachedInputTokenCount = usage.CachedInputTokenCount,
        ReasoningTokenCount = usage.ReasoningTokenCount,
        AdditionalCounts = usage.AdditionalCounts is null ? null : new(usage.AdditionalCounts),
    };

    private static List<string> SplitWords(string text, int wordsPerChunk)
    {
        var chunks = new List<string>();
        var start = 0;
        var words = 0;
        for (var i = 0; i < text.Length; i++)
        {
            // A word starts at a non-space character that follows a space (or the start of the text).
            if (!char.IsWhiteSpace(text[i]) && (i == 0 || char.IsWhiteSpace(text[i - 1])))
            {
                if (words == wordsPerChunk)
                {
                    // Whitespace before a word travels with it, as it does in model tokens (" world").
                    var cut = i;
                    while (cut > start && char.IsWhiteSpace(text[cut - 1]))
                    {
                        cut--;
                    }

                    chunks.Add(text[start..cut]);
                    start = cut;
                    words = 0;
                }

                words++;
            }
        }

        chunks.Add(text[start..]);
        return chunks;
    }

    private static List<string> SplitCharacters(string text, int size)
    {
        var chunks = new List<string>((text.Length / size) + 1);
        var start = 0;
        while (start < text.Length)
        {
            var end = Math.Min(start + size, text.Length);
            if (end < text.Length && char.IsHighSurrogate(text[end - 1]) && char.IsLowSurrogate(text[end]))
            {
                end++;
            }

            chunks.Add(text[start..end]);
            start = end;
        }

        return chunks;
    }

    private ScriptedResponse Copy() => (ScriptedResponse)MemberwiseClone();
}
