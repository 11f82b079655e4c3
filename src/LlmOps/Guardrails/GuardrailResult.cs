namespace LlmOps.Guardrails;

/// <summary>The outcome of one scan: an action, the findings behind it, and the redacted text when redacting.</summary>
public sealed class GuardrailResult
{
    private const string Redacted = "[REDACTED]";
    private static readonly GuardrailResult AllowResult = new(GuardrailAction.Allow, [], null);

    // A redact result builds its text on first read (issue 16): the guardrail chain applies the redactions of all its
    // scanners itself, so most redact results are never asked for their own text.
    private readonly string? scannedText;
    private readonly GuardrailFinding[]? redactions;
    private string? redactedText;

    private GuardrailResult(GuardrailAction action, IReadOnlyList<GuardrailFinding> findings, string? redactedText)
    {
        Action = action;
        Findings = findings;
        this.redactedText = redactedText;
    }

    private GuardrailResult(IReadOnlyList<GuardrailFinding> findings, string scannedText, GuardrailFinding[] redactions)
        : this(GuardrailAction.Redact, findings, null)
    {
        this.scannedText = scannedText;
        this.redactions = redactions;
    }

    /// <summary>Gets the action.</summary>
    public GuardrailAction Action { get; }

    /// <summary>Gets the findings; empty for <see cref="GuardrailAction.Allow"/>.</summary>
    public IReadOnlyList<GuardrailFinding> Findings { get; }

    /// <summary>Gets the text with the findings replaced, when <see cref="Action"/> is <see cref="GuardrailAction.Redact"/>.</summary>
    public string? RedactedText => redactedText ??= redactions is null ? null : ApplyRedactions(scannedText!, redactions);

    /// <summary>Gets a result that lets the text pass with no findings.</summary>
    /// <returns>The shared allow result.</returns>
    public static GuardrailResult Allow() => AllowResult;

    /// <summary>Creates a result that lets the text pass and records findings.</summary>
    /// <param name="findings">The findings.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="findings"/> is <see langword="null"/>.</exception>
    public static GuardrailResult Flag(IReadOnlyList<GuardrailFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        return findings.Count == 0 ? AllowResult : new(GuardrailAction.Flag, findings, null);
    }

    /// <summary>Creates a result that blocks the text.</summary>
    /// <param name="findings">The findings that justify the block.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="findings"/> is <see langword="null"/>.</exception>
    public static GuardrailResult Block(IReadOnlyList<GuardrailFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        return new(GuardrailAction.Block, findings, null);
    }

    /// <summary>
    /// Creates a redact result by replacing each finding's span with its <see cref="GuardrailFinding.Replacement"/>
    /// (or <c>[REDACTED]</c>). Overlapping spans are merged: the earlier one wins.
    /// </summary>
    /// <param name="text">The scanned text.</param>
    /// <param name="findings">The findings, with spans inside <paramref name="text"/>.</param>
    /// <returns>The result; <see cref="Allow"/> when there are no findings.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A finding's span lies outside <paramref name="text"/>.</exception>
    public static GuardrailResult Redact(string text, IReadOnlyList<GuardrailFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(findings);
        if (findings.Count == 0)
        {
            return AllowResult;
        }

        // The spans are checked now, so a bad finding fails here and not where the text is first read.
        var redactions = new GuardrailFinding[findings.Count];
        for (var i = 0; i < redactions.Length; i++)
        {
            var finding = findings[i];
            CheckSpan(text, finding, nameof(findings));
            redactions[i] = finding;
        }

        return new(findings, text, redactions);
    }

    private static void CheckSpan(string text, GuardrailFinding finding, string parameter)
    {
        if (finding.Start < 0 || finding.Length < 0 || finding.Start + finding.Length > text.Length)
        {
            throw new ArgumentOutOfRangeException(parameter, $"The finding '{finding.Type}' spans [{finding.Start}, {finding.Start + finding.Length}) outside a text of length {text.Length}.");
        }
    }

    internal static string ApplyRedactions(string text, IReadOnlyList<GuardrailFinding> findings)
    {
        var ordered = new List<GuardrailFinding>(findings);
        ordered.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));

        // First the length of the result (and the spans that are kept: an overlapped span is merged into the one
        // before), then the result written once, without a builder's buffer and copy (issue 16).
        var length = text.Length;
        var position = 0;
        var kept = 0;
        for (var i = 0; i < ordered.Count; i++)
        {
            var finding = ordered[i];
            CheckSpan(text, finding, nameof(findings));
            if (finding.Start < position)
            {
                continue;
            }

            length += (finding.Replacement ?? Redacted).Length - finding.Length;
            position = finding.Start + finding.Length;
            ordered[kept++] = finding;
        }

        ordered.RemoveRange(kept, ordered.Count - kept);
        return string.Create(length, (text, ordered), static (destination, state) =>
        {
            var (source, spans) = state;
            var position = 0;
            foreach (var finding in spans)
            {
                source.AsSpan(position, finding.Start - position).CopyTo(destination);
                destination = destination[(finding.Start - position)..];
                var replacement = finding.Replacement ?? Redacted;
                replacement.CopyTo(destination);
                destination = destination[replacement.Length..];
                position = finding.Start + finding.Length;
            }

            source.AsSpan(position).CopyTo(destination);
        });
    }
}
