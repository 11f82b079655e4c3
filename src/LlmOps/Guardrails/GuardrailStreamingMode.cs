namespace LlmOps.Guardrails;

/// <summary>How streamed output is scanned.</summary>
public enum GuardrailStreamingMode
{
    /// <summary>
    /// Text is held until the window it belongs to has been scanned; nothing unscanned reaches the caller, and a
    /// block stops the stream before any of the failing window is yielded. Adds up to one window of latency.
    /// </summary>
    Buffered = 0,

    /// <summary>
    /// Every chunk is scanned (with the previous context) as it arrives and yielded at once, except a short
    /// hold-back tail (<see cref="GuardrailsOptions.IncrementalHoldback"/>) that keeps a secret split across
    /// chunks from leaking before it is complete. A block stops the stream as soon as a scan fails; text already
    /// yielded cannot be recalled.
    /// </summary>
    Incremental = 1,
}
