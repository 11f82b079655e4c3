using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LlmOps.Guardrails;

/// <summary>
/// One chain of scanners for one stage: runs them in order on a text, applies each scanner's failure policy (a scanner
/// that throws or times out flags under <see cref="GuardrailFailureMode.FailOpen"/> and blocks under
/// <see cref="GuardrailFailureMode.FailClosed"/>, and the failure is logged once), and combines their actions: a block
/// stops the chain; redactions are applied from the findings' spans (the earlier span wins where two overlap); flags
/// are recorded. Every non-Allow result is recorded on the report and counted. Thread-safe; one instance serves every
/// request.
/// </summary>
internal sealed class GuardrailChain
{
    /// <summary>How close to the end of unfinished text a redaction must end to wait for more text (longer than any PII match).</summary>
    internal const int DeferMargin = 64;

    private readonly IGuardrail[] _guardrails;
    private readonly Counter<long> _violations;
    private readonly TimeSpan _scannerTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public GuardrailChain(IGuardrail[] guardrails, Counter<long> violations, TimeSpan scannerTimeout, TimeProvider time, ILogger logger)
    {
        _guardrails = guardrails;
        _violations = violations;
        _scannerTimeout = scannerTimeout;
        _time = time;
        _logger = logger;
    }

    /// <summary>Gets a value indicating whether the chain has no scanner.</summary>
    public bool IsEmpty => _guardrails.Length == 0;

    /// <summary>
    /// Scans the user, tool and earlier assistant messages of a request. User and tool messages may block, redact or
    /// flag; earlier assistant answers (restored for the caller on the previous turn) are only redacted again, so the
    /// provider never sees the originals; system messages are trusted.
    /// </summary>
    /// <returns>The messages to send (the same list when nothing changed) or the findings that blocked.</returns>
    public async ValueTask<(IReadOnlyList<ChatMessage> Messages, IReadOnlyList<GuardrailFinding>? Blocked)> ScanMessagesAsync(
        IReadOnlyList<ChatMessage> messages, GuardrailContext context, GuardrailReport report, CancellationToken cancellationToken)
    {
        List<ChatMessage>? changed = null;
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            var history = message.Role == ChatRole.Assistant;
            if (message.Role != ChatRole.User && message.Role != ChatRole.Tool && !history)
            {
                continue;
            }

            var text = message.Text;
            if (text.Length == 0)
            {
                continue;
            }

            var outcome = await ScanAsync(text, 0, final: true, context, report, cancellationToken, redactOnly: history).ConfigureAwait(false);
            if (outcome.Blocked is { } findings)
            {
                return (messages, findings);
            }

            if (!ReferenceEquals(outcome.Text, text))
            {
                changed ??= [.. messages];
                changed[i] = GuardrailMessages.WithText(message, outcome.Text);
            }
        }

        return (changed ?? (IReadOnlyList<ChatMessage>)messages, null);
    }

    /// <summary>
    /// Runs the chain on <paramref name="text"/>. Only the part from <paramref name="from"/> on is new (the rest is
    /// context already released). Unless <paramref name="final"/>, a redaction that ends within
    /// <see cref="DeferMargin"/> of the end of the text is deferred: the match may still be growing or turn out to be
    /// something else.
    /// </summary>
    /// <param name="text">The context followed by the new text.</param>
    /// <param name="from">Where the new text starts.</param>
    /// <param name="final">Whether no more text follows.</param>
    /// <param name="context">The request.</param>
    /// <param name="report">Where findings are recorded.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <param name="seen">Flags already reported by earlier windows of the same stream (scanner, type, absolute offset).</param>
    /// <param name="absoluteOffset">The offset of <paramref name="text"/> in the whole stream.</param>
    /// <param name="redactOnly">Apply redactions only (earlier answers): blocks and flags are ignored.</param>
    /// <returns>The new text with redactions applied, how much of it is settled, or the findings that blocked.</returns>
    public async ValueTask<Outcome> ScanAsync(
        string text, int from, bool final, GuardrailContext context, GuardrailReport report, CancellationToken cancellationToken,
        HashSet<(string?, string, long)>? seen = null, long absoluteOffset = 0, bool redactOnly = false)
    {
        List<(IGuardrail Guardrail, GuardrailResult Result)>? results = null;
        foreach (var guardrail in _guardrails)
        {
            var result = await RunAsync(guardrail, text, context, cancellationToken).ConfigureAwait(false);
            if (result.Action == GuardrailAction.Allow || (redactOnly && result.Action != GuardrailAction.Redact))
            {
                continue;
            }

            if (result.Action == GuardrailAction.Block)
            {
                var stamped = Stamp(result.Findings, guardrail, context.Stage);
                report.Record(context.Stage, GuardrailAction.Block, stamped);
                Count(guardrail, context.Stage, GuardrailAction.Block);
                return new Outcome(text, text.Length, stamped);
            }

            (results ??= []).Add((guardrail, result));
        }

        if (results is null)
        {
            return new Outcome(from == 0 ? text : text[from..], text.Length - from, null);
        }

        var deferFrom = final ? text.Length : DeferFrom(results, text.Length, from);
        var redactions = new List<GuardrailFinding>();
        foreach (var (guardrail, result) in results)
        {
            List<GuardrailFinding>? recorded = null;
            foreach (var f in result.Findings)
            {
                var end = f.Start + f.Length;

                // A span that ends in the context was reported with the previous window; a span-less finding (a
                // scanner error) is always reported.
                if ((f.Length > 0 && end <= from) || end > deferFrom || f.Start < 0 || end > text.Length)
                {
                    continue;
                }

                // A flag that spans from the context into the new text was already reported with the previous window.
                // Redactions are never skipped: the context is redacted text, so a match there is new, and positions
                // shift as earlier spans are replaced, so an offset cannot identify a redaction across windows.
                if (result.Action != GuardrailAction.Redact && seen is not null && !seen.Add((guardrail.Name, f.Type, absoluteOffset + f.Start)))
                {
                    continue;
                }

                var stamped = f with { Scanner = guardrail.Name, Stage = context.Stage };
                (recorded ??= []).Add(stamped);
                if (result.Action == GuardrailAction.Redact && f.Length > 0)
                {
                    var start = Math.Max(f.Start, from);
                    redactions.Add(stamped with { Start = start - from, Length = end - start });
                }
            }

            if (recorded is not null)
            {
                report.Record(context.Stage, result.Action, recorded);
                Count(guardrail, context.Stage, result.Action);
            }
        }

        if (from == 0 && redactions.Count == 0 && deferFrom == text.Length)
        {
            return new Outcome(text, text.Length, null);
        }

        var fresh = text[from..deferFrom];
        var redacted = redactions.Count == 0 ? fresh : GuardrailResult.ApplyRedactions(fresh, redactions);
        var output = deferFrom == text.Length ? redacted : redacted + text[deferFrom..];
        return new Outcome(output, redacted.Length, null);
    }

    /// <summary>Where the unsettled tail starts: the earliest redaction that ends near the end of unfinished text.</summary>
    private static int DeferFrom(List<(IGuardrail Guardrail, GuardrailResult Result)> results, int length, int from)
    {
        var deferFrom = length;
        foreach (var (_, result) in results)
        {
            if (result.Action != GuardrailAction.Redact)
            {
                continue;
            }

            foreach (var f in result.Findings)
            {
                // Near the end, what follows may still change the match: "4111 1111 1111" looks like a phone number
                // until the fourth group of the card arrives.
                if (f.Start + f.Length >= length - DeferMargin && f.Start < deferFrom)
                {
                    deferFrom = Math.Max(from, f.Start);
                }
            }
        }

        return deferFrom;
    }

    private static List<GuardrailFinding> Stamp(IReadOnlyList<GuardrailFinding> findings, IGuardrail guardrail, GuardrailStage stage)
    {
        var stamped = new List<GuardrailFinding>(Math.Max(1, findings.Count));
        foreach (var f in findings)
        {
            stamped.Add(f with { Scanner = guardrail.Name, Stage = stage });
        }

        if (stamped.Count == 0)
        {
            stamped.Add(new GuardrailFinding("guardrail.block", 0, 0, 1, "The scanner blocked without a finding.") { Scanner = guardrail.Name, Stage = stage });
        }

        return stamped;
    }

    private static string StageName(GuardrailStage stage) => stage == GuardrailStage.Input ? "input" : "output";

    private static string ActionName(GuardrailAction action) => action switch
    {
        GuardrailAction.Block => "block",
        GuardrailAction.Redact => "redact",
        GuardrailAction.Flag => "flag",
        _ => "allow",
    };

    private void Count(IGuardrail guardrail, GuardrailStage stage, GuardrailAction action)
        => _violations.Add(1, new TagList
        {
            { GuardrailsTelemetryNames.ScannerAttribute, guardrail.Name },
            { GuardrailsTelemetryNames.StageAttribute, StageName(stage) },
            { GuardrailsTelemetryNames.ActionAttribute, ActionName(action) },
        });

    private async ValueTask<GuardrailResult> RunAsync(IGuardrail guardrail, string text, GuardrailContext context, CancellationToken cancellationToken)
    {
        // The scanner gets its own token, so that a scanner that timed out or failed is told to stop.
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var pending = guardrail.ScanAsync(text, context, cts.Token);
            if (pending.IsCompletedSuccessfully)
            {
                return pending.Result ?? GuardrailResult.Allow();
            }

            var result = _scannerTimeout == Timeout.InfiniteTimeSpan
                ? await pending.ConfigureAwait(false)
                : await pending.AsTask().WaitAsync(_scannerTimeout, _time, cancellationToken).ConfigureAwait(false);
            return result ?? GuardrailResult.Allow();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            await cts.CancelAsync().ConfigureAwait(false);
            string reason;
            if (ex is TimeoutException)
            {
                reason = $"The scanner timed out after {_scannerTimeout.TotalMilliseconds} ms.";
                GuardrailsLog.ScannerTimedOut(_logger, guardrail.Name, context.Stage, _scannerTimeout.TotalMilliseconds, guardrail.FailureMode);
            }
            else
            {
                reason = $"The scanner failed with {ex.GetType().Name}.";
                GuardrailsLog.ScannerFailed(_logger, guardrail.Name, context.Stage, guardrail.FailureMode, ex);
            }

            var finding = new GuardrailFinding("guardrail.error", 0, 0, 1, reason);
            return guardrail.FailureMode == GuardrailFailureMode.FailClosed
                ? GuardrailResult.Block([finding])
                : GuardrailResult.Flag([finding]);
        }
    }

    /// <summary>The result of a scan.</summary>
    /// <param name="Text">The new part (from the scan start) with redactions applied, followed by the deferred tail.</param>
    /// <param name="SafeLength">How much of <paramref name="Text"/> is settled.</param>
    /// <param name="Blocked">The findings that blocked, or <see langword="null"/>.</param>
    internal readonly record struct Outcome(string Text, int SafeLength, IReadOnlyList<GuardrailFinding>? Blocked);
}
