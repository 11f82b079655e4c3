namespace LlmOps.Guardrails.Scanners;

/// <summary>
/// Blocks a text longer than <see cref="MaxCharacters"/> (an O(1) check) or with more than <see cref="MaxTokens"/>
/// tokens. Tokens are counted by <see cref="TokenCounter"/>; without one, the estimate is one token per four
/// characters, rounded up (close for English on GPT-style tokenizers, low for code and CJK text).
/// </summary>
public sealed class SizeLimitGuardrail : IGuardrail
{
    /// <inheritdoc/>
    public string Name => "size_limit";

    /// <inheritdoc/>
    public GuardrailStage Stages { get; set; } = GuardrailStage.Input;

    /// <inheritdoc/>
    public GuardrailFailureMode FailureMode { get; set; } = GuardrailFailureMode.FailClosed;

    /// <summary>Gets or sets the maximum number of characters of one message.</summary>
    /// <value>The default value is 262,144 (256K).</value>
    public int MaxCharacters { get; set; } = 256 * 1024;

    /// <summary>Gets or sets the maximum number of tokens of one message, or <see langword="null"/> for no token limit.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? MaxTokens { get; set; }

    /// <summary>
    /// Gets or sets the token counter; <see langword="null"/> counts with the metering stage's tokenizer for the request's
    /// model (<see cref="Metering.TokenCounter.GetEncoding"/>: o200k for GPT-4o and o-series, cl100k for GPT-4/3.5, o200k
    /// otherwise). <see cref="EstimateTokens"/> is the cheap alternative.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<string, int>? TokenCounter { get; set; }

    /// <summary>Estimates tokens as one per four characters, rounded up.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The estimate.</returns>
    public static int EstimateTokens(string text) => ((text?.Length ?? 0) + 3) / 4;

    /// <inheritdoc/>
    public ValueTask<GuardrailResult> ScanAsync(string text, GuardrailContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxCharacters)
        {
            return ValueTask.FromResult(GuardrailResult.Block([new GuardrailFinding("limit.characters", 0, text.Length, 1, $"The text has {text.Length} characters; the limit is {MaxCharacters}.")]));
        }

        if (MaxTokens is int max)
        {
            var tokens = TokenCounter is { } count
                ? count(text)
                : Metering.TokenCounter.GetTokenizer(Metering.TokenCounter.GetEncoding(context?.Options?.ModelId)).CountTokens(text);
            if (tokens > max)
            {
                return ValueTask.FromResult(GuardrailResult.Block([new GuardrailFinding("limit.tokens", 0, text.Length, 1, $"The text has {tokens} tokens; the limit is {max}.")]));
            }
        }

        return ValueTask.FromResult(GuardrailResult.Allow());
    }
}
