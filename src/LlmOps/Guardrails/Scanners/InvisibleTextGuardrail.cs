using System.Globalization;

namespace LlmOps.Guardrails.Scanners;

/// <summary>
/// Finds invisible characters that can smuggle instructions past a reader: Unicode format characters (zero-width
/// spaces and joiners, bidi controls), private-use and unassigned code points, and tag characters (U+E0000 block).
/// Strips them (Redact with an empty replacement) by default, or flags them.
/// </summary>
public sealed class InvisibleTextGuardrail : IGuardrail
{
    /// <inheritdoc/>
    public string Name => "invisible_text";

    /// <inheritdoc/>
    public GuardrailStage Stages { get; set; } = GuardrailStage.Input;

    /// <inheritdoc/>
    public GuardrailFailureMode FailureMode { get; set; } = GuardrailFailureMode.FailOpen;

    /// <summary>Gets or sets a value indicating whether invisible characters are only flagged, not stripped.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool FlagOnly { get; set; }

    /// <inheritdoc/>
    public ValueTask<GuardrailResult> ScanAsync(string text, GuardrailContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        List<GuardrailFinding>? findings = null;

        // ASCII holds no invisible character: jump to the first non-ASCII one (vectorised), most texts have none.
        var first = text.AsSpan().IndexOfAnyExceptInRange('\0', '\u007F');
        for (var i = first < 0 ? text.Length : first; i < text.Length; i++)
        {
            var c = text[i];
            if (c < 0x80)
            {
                continue;
            }

            var width = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            if (IsInvisible(text, i))
            {
                // Merge a run of invisible characters into one finding.
                if (findings is { Count: > 0 } && findings[^1] is var last && last.Start + last.Length == i)
                {
                    findings[^1] = last with { Length = last.Length + width };
                }
                else
                {
                    (findings ??= []).Add(new GuardrailFinding("invisible.character", i, width, 0.9, "Invisible or unassigned Unicode characters.") { Replacement = string.Empty });
                }
            }

            i += width - 1;
        }

        if (findings is null)
        {
            return ValueTask.FromResult(GuardrailResult.Allow());
        }

        return ValueTask.FromResult(FlagOnly ? GuardrailResult.Flag(findings) : GuardrailResult.Redact(text, findings));
    }

    /// <summary>Tells whether the character at <paramref name="index"/> is invisible (format, private use, unassigned or tag).</summary>
    /// <param name="text">The text.</param>
    /// <param name="index">The index.</param>
    /// <returns><see langword="true"/> when invisible.</returns>
    internal static bool IsInvisible(string text, int index)
    {
        var c = text[index];
        if (c is '\u200C' or '\u200D' && index > 0 && text[index - 1] >= 0x0900)
        {
            // Joiners inside Indic and Arabic scripts and emoji sequences are legitimate.
            return false;
        }

        var category = CharUnicodeInfo.GetUnicodeCategory(text, index);
        return category is UnicodeCategory.Format or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
            && c != '\u00AD';
    }
}
