namespace LlmOps.Guardrails;

/// <summary>
/// A request feature through which the guardrails stage scans text that an inner stage adds after the input scan:
/// prompt variables the prompt stage renders, sources the grounding stage retrieves. DESIGN.md: "the input scan sees
/// what the provider will receive; a stage that adds text after the scan has it scanned". The guardrails stage
/// registers it for each request; an inner stage finds it with <c>info.Get&lt;UntrustedInputScan&gt;()</c> (absent when
/// no guardrails stage is configured). Findings go into the request's <see cref="GuardrailReport"/> and PII is
/// redacted into the request's vault, so the answer is restored for the caller exactly as for a plain message.
/// </summary>
internal sealed class UntrustedInputScan
{
    private readonly GuardrailChain _chain;
    private readonly GuardrailContext _context;
    private readonly GuardrailReport _report;
    private GuardrailViolationException? _raised;

    public UntrustedInputScan(GuardrailChain chain, GuardrailContext context, GuardrailReport report)
    {
        _chain = chain;
        _context = context;
        _report = report;
    }

    /// <summary>
    /// Scans each text as input. A text that a scanner blocks keeps its findings in the result (the caller decides: the
    /// prompt stage blocks the request with <see cref="ThrowBlocked"/>, the grounding stage drops the source).
    /// </summary>
    /// <param name="texts">The texts.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>Per text, the text with redactions applied, or the findings that blocked it.</returns>
    public async ValueTask<(string Text, IReadOnlyList<GuardrailFinding>? Blocked)[]> ScanEachAsync(
        IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var results = new (string, IReadOnlyList<GuardrailFinding>?)[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            var text = texts[i] ?? string.Empty;
            if (text.Length == 0 || _chain.IsEmpty)
            {
                results[i] = (text, null);
                continue;
            }

            var outcome = await _chain.ScanAsync(text, 0, final: true, _context, _report, cancellationToken).ConfigureAwait(false);
            results[i] = outcome.Blocked is { } blocked ? (text, blocked) : (outcome.Text, null);
        }

        return results;
    }

    /// <summary>
    /// Blocks the request for findings that <see cref="ScanEachAsync"/> returned: throws the exception the guardrails
    /// stage recognises as its own, so it answers with its configured block behaviour (throw or refuse).
    /// </summary>
    /// <param name="findings">The findings.</param>
    /// <exception cref="GuardrailViolationException">Always.</exception>
    public void ThrowBlocked(IReadOnlyList<GuardrailFinding> findings)
    {
        var exception = new GuardrailViolationException(GuardrailStage.Input, findings);
        _raised = exception;
        throw exception;
    }

    /// <summary>Gets a value indicating whether <paramref name="exception"/> is the block this scan raised.</summary>
    /// <param name="exception">An exception from an inner stage.</param>
    /// <returns><see langword="true"/> when it was raised by <see cref="ThrowBlocked"/>.</returns>
    public bool Raised(GuardrailViolationException exception) => ReferenceEquals(exception, _raised);
}
