using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Text;
using LlmOps.Guardrails.Scanners;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;

namespace LlmOps.Guardrails;

/// <summary>
/// Runs the input guardrails before the inner client is called and the output guardrails on every answer,
/// streaming or not. Blocks, redacts (with redact-and-restore of PII) and flags, records a
/// <see cref="GuardrailReport"/> on the response and counts <c>llmops.guardrail.violations</c>.
/// </summary>
/// <remarks>
/// <para>
/// Input: every user and tool message is scanned; earlier assistant answers are only redacted (they never block), so
/// PII restored into an answer does not reach the provider on the next turn; system messages are trusted. Every scanner sees the
/// same text; the client applies the redactions from the findings' spans and <see cref="GuardrailFinding.Replacement"/>
/// (the earlier span wins where two overlap). A block stops the chain and the model is never called.
/// </para>
/// <para>
/// Output: each answer message is scanned, redacted, then the PII placeholders planted on input are restored from the
/// request's <see cref="PiiVault"/>, so the caller sees the originals and the provider never did. Streamed output is
/// scanned in windows (see <see cref="GuardrailStreamingMode"/>); text-free updates such as usage pass straight through,
/// which can place them before text the client is still holding. Finding spans in streaming refer to the window scanned.
/// </para>
/// <para>
/// A scanner's timeout (<see cref="GuardrailsOptions.ScannerTimeout"/>) bounds its asynchronous work; the built-in
/// scanners are synchronous and linear-time and are bounded by the size limit instead.
/// </para>
/// </remarks>
public sealed class GuardrailsChatClient : DelegatingChatClient
{
    /// <summary>The name of the violations counter.</summary>
    public const string ViolationsMetric = "llmops.guardrail.violations";

    /// <summary>How close to the end of unfinished text a redaction must end to wait for more text (longer than any PII match).</summary>
    private const int DeferMargin = 64;

    private readonly GuardrailsOptions _options;
    private readonly IGuardrail[] _input;
    private readonly IGuardrail[] _output;
    private readonly IGuardrail[] _outputWindowed;
    private readonly IGuardrail[] _outputComplete;
    private readonly SystemPromptLeakGuardrail? _leak;
    private readonly Counter<long> _violations;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="GuardrailsChatClient"/> class.</summary>
    /// <param name="innerClient">The client to guard.</param>
    /// <param name="options">The options (scanners, block behaviour, streaming mode).</param>
    /// <param name="telemetry">Where to count violations; <see cref="LlmOpsTelemetry.Shared"/> when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for scanner timeouts; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid; the message lists every problem.</exception>
    public GuardrailsChatClient(IChatClient innerClient, GuardrailsOptions options, LlmOpsTelemetry? telemetry = null, TimeProvider? timeProvider = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _options = options;
        _input = [.. options.Guardrails.Where(g => (g.Stages & GuardrailStage.Input) != 0)];
        _output = [.. options.Guardrails.Where(g => (g.Stages & GuardrailStage.Output) != 0)];
        _outputWindowed = [.. _output.Where(g => !g.ScansCompleteOutput)];
        _outputComplete = [.. _output.Where(g => g.ScansCompleteOutput)];
        _leak = options.Guardrails.OfType<SystemPromptLeakGuardrail>().FirstOrDefault(l => l.PlantCanary);
        _violations = (telemetry ?? LlmOpsTelemetry.Shared).GetOrCreateCounter<long>(
            ViolationsMetric, "{violation}", "Guardrail results other than Allow, tagged by scanner, stage and action.");
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the options.</summary>
    public GuardrailsOptions Options => _options;

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(GuardrailsOptions) ? _options : base.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var (request, report, original, vault) = Begin(messages, options);

        var input = await ScanInputAsync(original, request.Options, vault, report, cancellationToken).ConfigureAwait(false);
        if (input.Blocked is { } blocked)
        {
            Tag(request.Info, report);
            return Finish(request, Refuse(GuardrailStage.Input, blocked, modelId: null, usage: null));
        }

        var response = await base.GetResponseAsync(input.Messages, request.Options, cancellationToken).ConfigureAwait(false);
        var context = new GuardrailContext(GuardrailStage.Output, original, request.Options, vault) { Canary = input.Canary };
        List<ChatMessage>? changed = null;
        for (var i = 0; i < response.Messages.Count; i++)
        {
            var message = response.Messages[i];
            var text = message.Text;
            if (text.Length == 0)
            {
                continue;
            }

            var outcome = await ScanAsync(_output, text, 0, final: true, context, report, cancellationToken).ConfigureAwait(false);
            if (outcome.Blocked is { } findings)
            {
                Tag(request.Info, report);
                await RejectAnswerAsync(request.Info).ConfigureAwait(false);
                return Finish(request, Refuse(GuardrailStage.Output, findings, response.ModelId, response.Usage));
            }

            var restored = vault.Restore(outcome.Text);
            if (!string.Equals(restored, text, StringComparison.Ordinal))
            {
                changed ??= [.. response.Messages];
                changed[i] = WithText(message, restored);
            }
        }

        Tag(request.Info, report);
        if (changed is not null)
        {
            // Never modify the inner response in place: an inner cache may hold the same instance.
            response = new ChatResponse(changed)
            {
                ResponseId = response.ResponseId,
                ConversationId = response.ConversationId,
                ModelId = response.ModelId,
                CreatedAt = response.CreatedAt,
                FinishReason = response.FinishReason,
                Usage = response.Usage,
                RawRepresentation = response.RawRepresentation,
                AdditionalProperties = response.AdditionalProperties is null ? null : new AdditionalPropertiesDictionary(response.AdditionalProperties),
            };
        }

        return Finish(request, response);
    }

    /// <inheritdoc/>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return StreamAsync(messages, options, cancellationToken);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (request, report, original, vault) = Begin(messages, options);

        var input = await ScanInputAsync(original, request.Options, vault, report, cancellationToken).ConfigureAwait(false);
        if (input.Blocked is { } blocked)
        {
            Tag(request.Info, report);
            foreach (var update in ToUpdates(Refuse(GuardrailStage.Input, blocked, null, null), request))
            {
                yield return update;
            }

            yield break;
        }

        var context = new GuardrailContext(GuardrailStage.Output, original, request.Options, vault) { Canary = input.Canary };
        var window = new StreamWindow(this, context, report, vault);
        string? modelId = null;
        string? responseId = null;
        string? messageId = null;
        IReadOnlyList<GuardrailFinding>? outputBlock = null;
        var enumerator = base.GetStreamingResponseAsync(input.Messages, request.Options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (await enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                var update = enumerator.Current;
                modelId ??= update.ModelId;
                responseId ??= update.ResponseId;
                messageId ??= update.MessageId;
                var text = update.Text;
                if (text.Length == 0)
                {
                    yield return update;
                    continue;
                }

                var step = await window.AppendAsync(text, final: false, cancellationToken).ConfigureAwait(false);
                if (step.Blocked is not null)
                {
                    outputBlock = step.Blocked;
                    break;
                }

                var passthrough = WithoutText(update);
                if (step.Release.Length > 0)
                {
                    yield return new ChatResponseUpdate(ChatRole.Assistant, step.Release)
                    {
                        ModelId = update.ModelId ?? modelId,
                        ResponseId = update.ResponseId ?? responseId,
                        MessageId = update.MessageId ?? messageId,
                        CreatedAt = update.CreatedAt,
                    };
                }

                if (passthrough is not null)
                {
                    yield return passthrough;
                }
            }

            if (outputBlock is null)
            {
                var last = await window.AppendAsync(string.Empty, final: true, cancellationToken).ConfigureAwait(false);
                outputBlock = last.Blocked;
                if (outputBlock is null && last.Release.Length > 0)
                {
                    yield return new ChatResponseUpdate(ChatRole.Assistant, last.Release) { ModelId = modelId, ResponseId = responseId, MessageId = messageId };
                }
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }

        Tag(request.Info, report);
        if (outputBlock is not null)
        {
            await RejectAnswerAsync(request.Info).ConfigureAwait(false);
            foreach (var update in ToUpdates(Refuse(GuardrailStage.Output, outputBlock, modelId, null), request))
            {
                yield return update;
            }

            yield break;
        }

        if (request.IsOwner)
        {
            var final = new ChatResponseUpdate { ModelId = modelId, ResponseId = responseId, Role = ChatRole.Assistant };
            final.AttachLlmOpsInfo(request.Info);
            yield return final;
        }
    }

    private static ChatResponseUpdate? WithoutText(ChatResponseUpdate update)
    {
        List<AIContent>? rest = null;
        foreach (var content in update.Contents)
        {
            if (content is not TextContent)
            {
                (rest ??= []).Add(content);
            }
        }

        if (rest is null && update.FinishReason is null)
        {
            return null;
        }

        return new ChatResponseUpdate(update.Role, rest ?? [])
        {
            ModelId = update.ModelId,
            ResponseId = update.ResponseId,
            MessageId = update.MessageId,
            FinishReason = update.FinishReason,
            CreatedAt = update.CreatedAt,
            AdditionalProperties = update.AdditionalProperties,
        };
    }

    private static bool HasSystemMessage(IReadOnlyList<ChatMessage> messages)
    {
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                return true;
            }
        }

        return false;
    }

    private static ChatMessage WithText(ChatMessage message, string text)
    {
        var contents = new List<AIContent>(message.Contents.Count);
        var placed = false;
        foreach (var content in message.Contents)
        {
            if (content is TextContent)
            {
                if (!placed)
                {
                    contents.Add(new TextContent(text));
                    placed = true;
                }
            }
            else
            {
                contents.Add(content);
            }
        }

        if (!placed)
        {
            contents.Add(new TextContent(text));
        }

        return new ChatMessage(message.Role, contents)
        {
            AuthorName = message.AuthorName,
            MessageId = message.MessageId,
            CreatedAt = message.CreatedAt,
            AdditionalProperties = message.AdditionalProperties is null ? null : new AdditionalPropertiesDictionary(message.AdditionalProperties),
        };
    }

    private static ChatResponse Finish(LlmOpsRequest request, ChatResponse response)
    {
        request.AttachTo(response);
        return response;
    }

    /// <summary>
    /// Joins the request (both paths): the report, the caller's messages as a list, a fresh PII vault, and, when output
    /// scanners can block the answer, the <see cref="AnswerRejection"/> channel inner stages (the cache) register with.
    /// </summary>
    private (LlmOpsRequest Request, GuardrailReport Report, IReadOnlyList<ChatMessage> Original, PiiVault Vault) Begin(
        IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var request = LlmOpsRequest.Join(options);
        var report = request.Info.GetOrAdd(static () => new GuardrailReport());
        if (_output.Length > 0)
        {
            request.Info.GetOrAdd(static () => new AnswerRejection());
        }

        return (request, report, messages as IReadOnlyList<ChatMessage> ?? [.. messages], new PiiVault());
    }

    /// <summary>Tells the inner stages that the answer was blocked, so the cache drops the entry it wrote or served.</summary>
    private static ValueTask RejectAnswerAsync(LlmOpsInfo info)
        => info.Get<AnswerRejection>() is { } rejection ? rejection.RejectAsync(CancellationToken.None) : ValueTask.CompletedTask;

    private static void Tag(LlmOpsInfo info, GuardrailReport report)
        => info.AddTag("llmops.guardrail.action", report.Action switch
        {
            GuardrailAction.Block => "block",
            GuardrailAction.Redact => "redact",
            GuardrailAction.Flag => "flag",
            _ => "allow",
        });

    private static IEnumerable<ChatResponseUpdate> ToUpdates(ChatResponse response, LlmOpsRequest request)
    {
        var update = new ChatResponseUpdate(ChatRole.Assistant, response.Text)
        {
            ModelId = response.ModelId,
            FinishReason = response.FinishReason,
        };
        if (request.IsOwner)
        {
            update.AttachLlmOpsInfo(request.Info);
        }

        yield return update;
    }

    private ChatResponse Refuse(GuardrailStage stage, IReadOnlyList<GuardrailFinding> findings, string? modelId, UsageDetails? usage)
    {
        if (_options.BlockBehavior == GuardrailBlockBehavior.Throw)
        {
            throw new GuardrailViolationException(stage, findings);
        }

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, _options.RefusalText))
        {
            ModelId = modelId,
            FinishReason = ChatFinishReason.ContentFilter,
            Usage = usage,
        };
    }

    private async ValueTask<InputOutcome> ScanInputAsync(
        IReadOnlyList<ChatMessage> messages, ChatOptions? options, PiiVault vault, GuardrailReport report, CancellationToken cancellationToken)
    {
        var context = new GuardrailContext(GuardrailStage.Input, messages, options, vault);
        List<ChatMessage>? changed = null;
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];

            // Earlier answers come back as assistant messages, restored for the caller: they are redacted again so
            // the provider never sees the originals, but they never block or flag (the model wrote them).
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

            var outcome = await ScanAsync(_input, text, 0, final: true, context, report, cancellationToken, redactOnly: history).ConfigureAwait(false);
            if (outcome.Blocked is { } findings)
            {
                return new InputOutcome(messages, findings, null);
            }

            if (!ReferenceEquals(outcome.Text, text))
            {
                changed ??= [.. messages];
                changed[i] = WithText(message, outcome.Text);
            }
        }

        string? canary = null;
        if (_leak is not null && HasSystemMessage(messages))
        {
            changed ??= [.. messages];
            canary = _leak.Plant(changed);
        }

        return new InputOutcome(changed ?? messages, null, canary);
    }

    /// <summary>
    /// Runs a chain on <paramref name="text"/>. Only the part from <paramref name="from"/> on is new (the rest is context
    /// already released). Unless <paramref name="final"/>, a redaction that ends within <see cref="DeferMargin"/> of the
    /// end of the text is deferred: the match may still be growing or turn out to be something else.
    /// </summary>
    private async ValueTask<ScanOutcome> ScanAsync(
        IGuardrail[] chain, string text, int from, bool final, GuardrailContext context, GuardrailReport report, CancellationToken cancellationToken,
        HashSet<(string?, string, long)>? seen = null, long absoluteOffset = 0, bool redactOnly = false)
    {
        List<(IGuardrail Guardrail, GuardrailResult Result)>? results = null;
        foreach (var guardrail in chain)
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
                return new ScanOutcome(text, text.Length, stamped);
            }

            (results ??= []).Add((guardrail, result));
        }

        if (results is null)
        {
            return new ScanOutcome(from == 0 ? text : text[from..], text.Length, null);
        }

        var deferFrom = text.Length;
        if (!final)
        {
            foreach (var (_, result) in results)
            {
                if (result.Action != GuardrailAction.Redact)
                {
                    continue;
                }

                foreach (var f in result.Findings)
                {
                    // Near the end, what follows may still change the match: "4111 1111 1111" looks like a phone
                    // number until the fourth group of the card arrives.
                    if (f.Start + f.Length >= text.Length - DeferMargin && f.Start < deferFrom)
                    {
                        deferFrom = Math.Max(from, f.Start);
                    }
                }
            }
        }

        var redactions = new List<GuardrailFinding>();
        foreach (var (guardrail, result) in results)
        {
            var recorded = new List<GuardrailFinding>();
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
                recorded.Add(stamped);
                if (result.Action == GuardrailAction.Redact && f.Length > 0)
                {
                    var start = Math.Max(f.Start, from);
                    redactions.Add(stamped with { Start = start - from, Length = end - start });
                }
            }

            if (recorded.Count > 0)
            {
                report.Record(context.Stage, result.Action, recorded);
                Count(guardrail, context.Stage, result.Action);
            }
        }

        var fresh = text[from..deferFrom];
        var redacted = redactions.Count == 0 ? fresh : GuardrailResult.ApplyRedactions(fresh, redactions);
        var output = deferFrom == text.Length ? redacted : redacted + text[deferFrom..];
        if (from == 0 && redactions.Count == 0 && deferFrom == text.Length)
        {
            output = text;
        }

        return new ScanOutcome(output, redacted.Length, null);
    }

    private static List<GuardrailFinding> Stamp(IReadOnlyList<GuardrailFinding> findings, IGuardrail guardrail, GuardrailStage stage)
    {
        var stamped = new List<GuardrailFinding>(findings.Count);
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

    private void Count(IGuardrail guardrail, GuardrailStage stage, GuardrailAction action)
        => _violations.Add(1, new TagList
        {
            { "llmops.guardrail.scanner", guardrail.Name },
            { "llmops.guardrail.stage", stage == GuardrailStage.Input ? "input" : "output" },
            { "llmops.guardrail.action", action.ToString().ToLowerInvariant() },
        });

    private async ValueTask<GuardrailResult> RunAsync(IGuardrail guardrail, string text, GuardrailContext context, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var pending = guardrail.ScanAsync(text, context, cts.Token);
            if (pending.IsCompletedSuccessfully)
            {
                return pending.Result ?? GuardrailResult.Allow();
            }

            var result = _options.ScannerTimeout == Timeout.InfiniteTimeSpan
                ? await pending.ConfigureAwait(false)
                : await pending.AsTask().WaitAsync(_options.ScannerTimeout, _time, cancellationToken).ConfigureAwait(false);
            return result ?? GuardrailResult.Allow();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            await cts.CancelAsync().ConfigureAwait(false);
            var reason = ex is TimeoutException
                ? $"The scanner timed out after {_options.ScannerTimeout.TotalMilliseconds} ms."
                : $"The scanner failed with {ex.GetType().Name}.";
            var finding = new GuardrailFinding("guardrail.error", 0, 0, 1, reason);
            return guardrail.FailureMode == GuardrailFailureMode.FailClosed
                ? GuardrailResult.Block([finding])
                : GuardrailResult.Flag([finding]);
        }
    }

    private readonly record struct InputOutcome(IReadOnlyList<ChatMessage> Messages, IReadOnlyList<GuardrailFinding>? Blocked, string? Canary);

    /// <summary>Text is the new part (from the scan start) with redactions applied; SafeLength is how much of it is settled.</summary>
    private readonly record struct ScanOutcome(string Text, int SafeLength, IReadOnlyList<GuardrailFinding>? Blocked);

    private readonly record struct StreamStep(string Release, IReadOnlyList<GuardrailFinding>? Blocked);

    /// <summary>The windowed scanner state of one streamed answer.</summary>
    private sealed class StreamWindow(GuardrailsChatClient owner, GuardrailContext context, GuardrailReport report, PiiVault vault)
    {
        private readonly StringBuilder _pending = new();
        private readonly StringBuilder _all = new();
        private readonly HashSet<(string?, string, long)> _seen = [];
        private readonly bool _holdAll = owner._options.StreamingMode == GuardrailStreamingMode.Buffered && owner._outputComplete.Length > 0;
        private string _context = string.Empty;
        private long _released;

        public async ValueTask<StreamStep> AppendAsync(string text, bool final, CancellationToken cancellationToken)
        {
            var options = owner._options;
            _pending.Append(text);
            var incremental = options.StreamingMode == GuardrailStreamingMode.Incremental;
            if (!final && (_holdAll || (!incremental && _pending.Length < options.WindowSize)))
            {
                return new StreamStep(string.Empty, null);
            }

            var pending = _pending.ToString();
            var scan = _context + pending;
            var outcome = await owner.ScanAsync(owner._outputWindowed, scan, _context.Length, final, context, report, cancellationToken, _seen, _released - _context.Length).ConfigureAwait(false);
            if (outcome.Blocked is not null)
            {
                return new StreamStep(string.Empty, outcome.Blocked);
            }

            var settled = outcome.Text;
            var release = final ? settled.Length : Math.Min(outcome.SafeLength, settled.Length - (incremental ? options.IncrementalHoldback : options.WindowOverlap));
            if (!final && vault.Count > 0 && release > 0)
            {
                // Never cut through a placeholder that is about to be restored.
                var open = settled.LastIndexOf('<', release - 1, Math.Min(release, vault.LongestPlaceholder));
                if (open >= 0 && settled.IndexOf('>', open) is var close && (close < 0 || close >= release))
                {
                    release = open;
                }
            }

            if (release > 0 && char.IsHighSurrogate(settled[release - 1]))
            {
                release--;
            }

            if (release <= 0)
            {
                _pending.Clear().Append(settled);
                return new StreamStep(string.Empty, null);
            }

            var released = settled[..release];
            _pending.Clear().Append(settled, release, settled.Length - release);
            _all.Append(released);
            _released += released.Length;
            var keep = Math.Min(options.WindowOverlap, _all.Length);
            _context = _all.ToString(_all.Length - keep, keep);

            if (final && owner._outputComplete.Length > 0)
            {
                var whole = _all.ToString();
                var check = await owner.ScanAsync(owner._outputComplete, whole, 0, final: true, context, report, cancellationToken).ConfigureAwait(false);
                if (check.Blocked is not null)
                {
                    return new StreamStep(string.Empty, check.Blocked);
                }
            }

            return new StreamStep(vault.Restore(released), null);
        }
    }
}
