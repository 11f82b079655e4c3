using System.Text;

namespace LlmOps.Guardrails;

/// <summary>
/// The output scan of one streamed answer: holds text back until the windowed output chain has passed it, then
/// releases it with the PII placeholders restored. In <see cref="GuardrailStreamingMode.Buffered"/> mode text is
/// scanned in windows of <see cref="GuardrailsOptions.WindowSize"/> (and held whole when a scanner needs the complete
/// output); in <see cref="GuardrailStreamingMode.Incremental"/> mode every chunk is scanned with the last
/// <see cref="GuardrailsOptions.WindowOverlap"/> characters as context and <see cref="GuardrailsOptions.IncrementalHoldback"/>
/// characters held back. A redaction near the end of unfinished text waits for more text; a placeholder is never cut.
/// Not thread-safe: one per stream.
/// </summary>
internal sealed class GuardrailStreamWindow
{
    private readonly GuardrailChain _windowed;
    private readonly GuardrailChain _complete;
    private readonly GuardrailsOptions _options;
    private readonly GuardrailContext _context;
    private readonly GuardrailReport _report;
    private readonly PiiVaultSlot _vault;
    private readonly StringBuilder _pending = new();
    private readonly StringBuilder _all = new();
    private readonly HashSet<(string?, string, long)> _seen = [];
    private readonly bool _holdAll;
    private string _tail = string.Empty;
    private long _releasedLength;

    public GuardrailStreamWindow(GuardrailChain windowed, GuardrailChain complete, GuardrailsOptions options, GuardrailContext context, GuardrailReport report, PiiVaultSlot vault)
    {
        _windowed = windowed;
        _complete = complete;
        _options = options;
        _context = context;
        _report = report;
        _vault = vault;
        _holdAll = options.StreamingMode == GuardrailStreamingMode.Buffered && !complete.IsEmpty;
    }

    /// <summary>Adds streamed text; <paramref name="final"/> (with empty text) flushes what is held at the end of the stream.</summary>
    /// <returns>The text to release now (possibly empty), or the findings that blocked the answer.</returns>
    public async ValueTask<Step> AppendAsync(string text, bool final, CancellationToken cancellationToken)
    {
        _pending.Append(text);
        var incremental = _options.StreamingMode == GuardrailStreamingMode.Incremental;
        if (!final && (_holdAll || (!incremental && _pending.Length < _options.WindowSize)))
        {
            return Step.None;
        }

        var scan = _tail + _pending.ToString();
        var outcome = await _windowed.ScanAsync(scan, _tail.Length, final, _context, _report, cancellationToken, _seen, _releasedLength - _tail.Length).ConfigureAwait(false);
        if (outcome.Blocked is not null)
        {
            return new Step(string.Empty, outcome.Blocked);
        }

        var settled = outcome.Text;
        var release = final ? settled.Length : Math.Min(outcome.SafeLength, settled.Length - (incremental ? _options.IncrementalHoldback : _options.WindowOverlap));
        if (!final && _vault.Count > 0 && release > 0)
        {
            // Never cut through a placeholder that is about to be restored.
            var open = settled.LastIndexOf('<', release - 1, Math.Min(release, _vault.Value!.LongestPlaceholder));
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
            return Step.None;
        }

        var released = settled[..release];
        _pending.Clear().Append(settled, release, settled.Length - release);
        _all.Append(released);
        _releasedLength += released.Length;
        var keep = Math.Min(_options.WindowOverlap, _all.Length);
        _tail = _all.ToString(_all.Length - keep, keep);

        if (final && !_complete.IsEmpty)
        {
            var check = await _complete.ScanAsync(_all.ToString(), 0, final: true, _context, _report, cancellationToken).ConfigureAwait(false);
            if (check.Blocked is not null)
            {
                return new Step(string.Empty, check.Blocked);
            }
        }

        return new Step(_vault.Restore(released), null);
    }

    /// <summary>What one append produced.</summary>
    /// <param name="Release">The text to release to the caller (empty when everything is still held).</param>
    /// <param name="Blocked">The findings that blocked the answer, or <see langword="null"/>.</param>
    internal readonly record struct Step(string Release, IReadOnlyList<GuardrailFinding>? Blocked)
    {
        /// <summary>Gets the step that releases nothing yet.</summary>
        public static Step None => new(string.Empty, null);
    }
}
