using System.Runtime.CompilerServices;
using LlmOps.Guardrails.Scanners;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmOps.Guardrails;

/// <summary>
/// Runs the input guardrails before the inner client is called and the output guardrails on every answer,
/// streaming or not. Blocks, redacts (with redact-and-restore of PII) and flags, records a
/// <see cref="GuardrailReport"/> on the response and counts <see cref="GuardrailsTelemetryNames.Violations"/>.
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
/// scanners are synchronous and linear-time and are bounded by the size limit instead. A scanner that throws or times
/// out follows its <see cref="IGuardrail.FailureMode"/> and is logged (EventIds 1100-1101).
/// </para>
/// <para>
/// The decorator wires three parts: the input and output chains (running the scanners and combining their actions),
/// and, per streamed answer, a window that holds text back until the output chain has passed it.
/// </para>
/// </remarks>
public sealed class GuardrailsChatClient : DelegatingChatClient
{
    /// <summary>The name of the violations counter.</summary>
    [Obsolete("Use GuardrailsTelemetryNames.Violations; this forwarder goes in the next release.")]
    public const string ViolationsMetric = GuardrailsTelemetryNames.Violations;

    private readonly GuardrailsOptions _options;
    private readonly GuardrailChain _input;
    private readonly GuardrailChain _output;
    private readonly GuardrailChain _outputWindowed;
    private readonly GuardrailChain _outputComplete;
    private readonly SystemPromptLeakGuardrail? _leak;
    private readonly bool _passThrough;

    /// <summary>Initializes a new instance of the <see cref="GuardrailsChatClient"/> class.</summary>
    /// <param name="innerClient">The client to guard.</param>
    /// <param name="options">The options (scanners, block behaviour, streaming mode).</param>
    /// <param name="telemetry">Where to count violations; <see cref="LlmOpsTelemetry.Shared"/> when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for scanner timeouts; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">Where scanner failures are logged; nowhere when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid; the message lists every problem.</exception>
    public GuardrailsChatClient(
        IChatClient innerClient, GuardrailsOptions options, LlmOpsTelemetry? telemetry = null, TimeProvider? timeProvider = null, ILogger? logger = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _options = options;
        var violations = (telemetry ?? LlmOpsTelemetry.Shared).GetOrCreateCounter<long>(
            GuardrailsTelemetryNames.Violations, "{violation}", "Guardrail results other than Allow, tagged by scanner, stage and action.");
        var time = timeProvider ?? TimeProvider.System;
        var log = logger ?? NullLogger.Instance;
        GuardrailChain Chain(Func<IGuardrail, bool> include) => new([.. options.Guardrails.Where(include)], violations, options.ScannerTimeout, time, log);
        _input = Chain(static g => (g.Stages & GuardrailStage.Input) != 0);
        _output = Chain(static g => (g.Stages & GuardrailStage.Output) != 0);
        _outputWindowed = Chain(static g => (g.Stages & GuardrailStage.Output) != 0 && !g.ScansCompleteOutput);
        _outputComplete = Chain(static g => (g.Stages & GuardrailStage.Output) != 0 && g.ScansCompleteOutput);
        _leak = options.Guardrails.OfType<SystemPromptLeakGuardrail>().FirstOrDefault(l => l.PlantCanary);
        _passThrough = _input.IsEmpty && _output.IsEmpty && _leak is null;
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
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A message or one of its contents is <see langword="null"/>; the message names its position.</exception>
    public override Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = RequestMessages.Validate(messages, nameof(messages), options);
        if (!_passThrough)
        {
            return GuardAsync(list, options, cancellationToken);
        }

        // No scanner on either side: nothing to scan, redact or restore. The request still gets its (empty) report and
        // its action tag, and the inner client's task is handed back as it is, unless this stage must attach the info.
        var request = JoinPassThrough(options);
        Task<ChatResponse> inner;
        try
        {
            inner = InnerClient.GetResponseAsync(list, request.Options, cancellationToken); // this stage's own call site (StageTasks.Call's remarks)
        }
        catch (Exception ex)
        {
            inner = StageTasks.Failed(ex);
        }

        return request.IsOwner ? StageTasks.AttachInfo(inner, request.Info) : inner;
    }

    private LlmOpsRequest JoinPassThrough(ChatOptions? options)
    {
        // The request's report may stay empty (nothing records into this one): requests then share one empty report, and
        // a stage with scanners (inner or outer) gives the request a report of its own before it records.
        var request = LlmOpsRequest.Join(options);
        request.Info.GetOrAdd(static () => GuardrailReport.Empty);
        Tag(request.Info);
        return request;
    }

    private async Task<ChatResponse> GuardAsync(IList<ChatMessage> list, ChatOptions? options, CancellationToken cancellationToken)
    {
        var (request, report, original, vault) = Begin(list, options);

        var input = await ScanInputAsync(original, request.Options, vault, report, cancellationToken).ConfigureAwait(false);
        if (input.Blocked is { } blocked)
        {
            Tag(request.Info);
            return Finish(request, Refuse(GuardrailStage.Input, blocked, modelId: null, usage: null));
        }

        var scan = AttachUntrustedInputScan(request, original, vault, report);
        ChatResponse response;
        if (scan is null && _output.IsEmpty)
        {
            // No scanner on either side: nothing to scan, redact or restore; the answer passes as it is.
            response = await base.GetResponseAsync(input.Messages, request.Options, cancellationToken).ConfigureAwait(false);
            Tag(request.Info);
            return Finish(request, response);
        }

        try
        {
            response = await base.GetResponseAsync(input.Messages, request.Options, cancellationToken).ConfigureAwait(false);
        }
        catch (GuardrailViolationException ex) when (scan is not null && scan.Raised(ex) && _options.BlockBehavior == GuardrailBlockBehavior.Refuse)
        {
            // An inner stage (prompt variables, retrieved sources) had text blocked before any provider call.
            Tag(request.Info);
            return Finish(request, Refuse(GuardrailStage.Input, ex.Findings, modelId: null, usage: null));
        }

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

            var outcome = await _output.ScanAsync(text, 0, final: true, context, report, cancellationToken).ConfigureAwait(false);
            if (outcome.Blocked is { } findings)
            {
                Tag(request.Info);
                await RejectAnswerAsync(request.Info).ConfigureAwait(false);
                return Finish(request, Refuse(GuardrailStage.Output, findings, response.ModelId, response.Usage));
            }

            var restored = vault.Restore(outcome.Text);
            if (!string.Equals(restored, text, StringComparison.Ordinal))
            {
                changed ??= [.. response.Messages];
                changed[i] = GuardrailMessages.WithText(message, restored);
            }
        }

        Tag(request.Info);

        // Never modify the inner response in place: an inner cache may hold the same instance.
        return Finish(request, changed is null ? response : GuardrailMessages.WithMessages(response, changed));
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A message or one of its contents is <see langword="null"/>; the message names its position.</exception>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = RequestMessages.Validate(messages, nameof(messages));
        return _passThrough ? PassThroughStreamAsync(list, options, cancellationToken) : StreamAsync(list, options, cancellationToken);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> PassThroughStreamAsync(
        IList<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = JoinPassThrough(options);
        string? modelId = null;
        string? responseId = null;
        await foreach (var update in base.GetStreamingResponseAsync(messages, request.Options, cancellationToken).ConfigureAwait(false))
        {
            modelId ??= update.ModelId;
            responseId ??= update.ResponseId;
            yield return update;
        }

        if (request.IsOwner)
        {
            var final = new ChatResponseUpdate { ModelId = modelId, ResponseId = responseId, Role = ChatRole.Assistant };
            final.AttachLlmOpsInfo(request.Info);
            yield return final;
        }
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IList<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (request, report, original, vault) = Begin(messages, options);

        var input = await ScanInputAsync(original, request.Options, vault, report, cancellationToken).ConfigureAwait(false);
        if (input.Blocked is { } blocked)
        {
            Tag(request.Info);
            foreach (var update in ToUpdates(Refuse(GuardrailStage.Input, blocked, null, null), request))
            {
                yield return update;
            }

            yield break;
        }

        var context = new GuardrailContext(GuardrailStage.Output, original, request.Options, vault) { Canary = input.Canary };
        var window = new GuardrailStreamWindow(_outputWindowed, _outputComplete, _options, context, report, vault);
        string? modelId = null;
        string? responseId = null;
        string? messageId = null;
        IReadOnlyList<GuardrailFinding>? outputBlock = null;
        IReadOnlyList<GuardrailFinding>? inputBlock = null;
        var scan = AttachUntrustedInputScan(request, original, vault, report);
        var enumerator = base.GetStreamingResponseAsync(input.Messages, request.Options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (GuardrailViolationException ex) when (scan is not null && scan.Raised(ex) && _options.BlockBehavior == GuardrailBlockBehavior.Refuse)
                {
                    // An inner stage (prompt variables, retrieved sources) had text blocked before any provider call.
                    inputBlock = ex.Findings;
                    break;
                }

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

                var passthrough = GuardrailMessages.WithoutText(update);
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

            if (outputBlock is null && inputBlock is null)
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

        Tag(request.Info);
        if (inputBlock is not null)
        {
            foreach (var update in ToUpdates(Refuse(GuardrailStage.Input, inputBlock, null, null), request))
            {
                yield return update;
            }

            yield break;
        }

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

    /// <summary>
    /// Lets inner stages have the text they add scanned as input (see <see cref="UntrustedInputScan"/>); <see langword="null"/>
    /// when no input scanner is configured (inner stages then treat their text as scanned and unchanged, which an empty
    /// chain would return).
    /// </summary>
    private UntrustedInputScan? AttachUntrustedInputScan(LlmOpsRequest request, IReadOnlyList<ChatMessage> original, PiiVaultSlot vault, GuardrailReport report)
    {
        if (_input.IsEmpty)
        {
            return null;
        }

        var scan = new UntrustedInputScan(_input, new GuardrailContext(GuardrailStage.Input, original, request.Options, vault), report);
        request.Info.Set(scan);
        return scan;
    }

    private static ChatResponse Finish(LlmOpsRequest request, ChatResponse response)
    {
        request.AttachTo(response);
        return response;
    }

    /// <summary>Tells the inner stages that the answer was blocked, so the cache drops the entry it wrote or served.</summary>
    private static ValueTask RejectAnswerAsync(LlmOpsInfo info)
        => info.Get<AnswerRejection>() is { } rejection ? rejection.RejectAsync(CancellationToken.None) : ValueTask.CompletedTask;

    /// <summary>Publishes the request's action tag, which the info computes from the report when it is read.</summary>
    private static void Tag(LlmOpsInfo info) => info.PublishTags(StandardTags.GuardrailAction);

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

    /// <summary>
    /// Joins the request (both paths): the report, the caller's messages as a list, a slot for the PII vault (created on
    /// the first finding), and, when output
    /// scanners can block the answer, the <see cref="AnswerRejection"/> channel inner stages (the cache) register with.
    /// </summary>
    private (LlmOpsRequest Request, GuardrailReport Report, IReadOnlyList<ChatMessage> Original, PiiVaultSlot Vault) Begin(
        IList<ChatMessage> messages, ChatOptions? options)
    {
        var request = LlmOpsRequest.Join(options);
        var report = request.Info.GetOrAdd(static () => new GuardrailReport());
        if (ReferenceEquals(report, GuardrailReport.Empty))
        {
            // An outer stage with no scanners left the shared empty report: this stage records, so the request needs its own.
            report = request.Info.ReplaceShared(report, new GuardrailReport());
        }

        if (!_output.IsEmpty)
        {
            request.Info.GetOrAdd(static () => new AnswerRejection());
        }

        return (request, report, messages as IReadOnlyList<ChatMessage> ?? [.. messages], new PiiVaultSlot());
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

    /// <summary>Runs the input chain on the request's messages, then plants the leak guard's canary in the system prompt.</summary>
    private async ValueTask<(IReadOnlyList<ChatMessage> Messages, IReadOnlyList<GuardrailFinding>? Blocked, string? Canary)> ScanInputAsync(
        IReadOnlyList<ChatMessage> messages, ChatOptions? options, PiiVaultSlot vault, GuardrailReport report, CancellationToken cancellationToken)
    {
        if (_input.IsEmpty && _leak is null)
        {
            return (messages, null, null);
        }

        var context = new GuardrailContext(GuardrailStage.Input, messages, options, vault);
        var (scanned, blocked) = await _input.ScanMessagesAsync(messages, context, report, cancellationToken).ConfigureAwait(false);
        if (blocked is not null)
        {
            return (messages, blocked, null);
        }

        string? canary = null;
        if (_leak is not null && GuardrailMessages.HasSystemMessage(messages))
        {
            var planted = ReferenceEquals(scanned, messages) ? [.. messages] : scanned as List<ChatMessage> ?? [.. scanned];
            canary = _leak.Plant(planted);
            scanned = planted;
        }

        return (scanned, null, canary);
    }
}
