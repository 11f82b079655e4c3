using Microsoft.Extensions.Logging;

namespace LlmOps.Guardrails;

/// <summary>The guardrails stage's log messages (EventIds 1100-1199). Never logs scanned text or PII.</summary>
internal static partial class GuardrailsLog
{
    [LoggerMessage(EventId = 1100, EventName = "GuardrailScannerFailed", Level = LogLevel.Warning,
        Message = "Guardrail scanner '{Scanner}' failed on {Stage}; its failure mode {FailureMode} applied (FailOpen flags and lets the text through, FailClosed blocks).")]
    public static partial void ScannerFailed(ILogger logger, string scanner, GuardrailStage stage, GuardrailFailureMode failureMode, Exception exception);

    [LoggerMessage(EventId = 1101, EventName = "GuardrailScannerTimedOut", Level = LogLevel.Warning,
        Message = "Guardrail scanner '{Scanner}' timed out on {Stage} after {TimeoutMilliseconds} ms; its failure mode {FailureMode} applied.")]
    public static partial void ScannerTimedOut(ILogger logger, string scanner, GuardrailStage stage, double timeoutMilliseconds, GuardrailFailureMode failureMode);

    [LoggerMessage(EventId = 1110, EventName = "InjectionClassifierWarmUpFailed", Level = LogLevel.Error,
        Message = "The embedding injection classifier could not embed its exemplars; the next request retries, and requests are scored by the rules and the trained model alone until it succeeds.")]
    public static partial void ClassifierWarmUpFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1111, EventName = "InjectionClassifierWarmUpTimedOut", Level = LogLevel.Warning,
        Message = "The embedding injection classifier was not ready {TimeoutMilliseconds} ms after its warm-up started; requests are scored without it until its exemplars are embedded.")]
    public static partial void ClassifierWarmUpTimedOut(ILogger logger, double timeoutMilliseconds);

    [LoggerMessage(EventId = 1112, EventName = "InjectionSecondStageFailed", Level = LogLevel.Warning,
        Message = "The prompt-injection second stage could not embed a text of {Length} characters in the uncertain band; it failed open and the fast model's verdict stands.")]
    public static partial void SecondStageFailed(ILogger logger, int length, Exception exception);
}
