using System.Text.RegularExpressions;

namespace LlmOps.Guardrails.Scanners;

/// <summary>
/// Blocks (or redacts, or flags) user-configured substrings (case-insensitive) and regular expressions. Patterns are
/// compiled with <see cref="RegexOptions.NonBacktracking"/>, so a pattern cannot backtrack catastrophically.
/// </summary>
public sealed class BannedContentGuardrail : IGuardrail
{
    private readonly string[] _substrings;
    private readonly Regex[] _patterns;

    /// <summary>Initializes a new instance of the <see cref="BannedContentGuardrail"/> class.</summary>
    /// <param name="substrings">Banned substrings, matched case-insensitively.</param>
    /// <param name="patterns">Banned regular expressions (no backreferences or lookarounds: they run non-backtracking).</param>
    /// <exception cref="ArgumentException">A substring is empty, or a pattern is invalid or uses a construct the non-backtracking engine rejects.</exception>
    public BannedContentGuardrail(IEnumerable<string>? substrings = null, IEnumerable<string>? patterns = null)
    {
        _substrings = [.. substrings ?? []];
        foreach (var s in _substrings)
        {
            if (string.IsNullOrEmpty(s))
            {
                throw new ArgumentException("A banned substring is null or empty; remove it.", nameof(substrings));
            }
        }

        var compiled = new List<Regex>();
        foreach (var p in patterns ?? [])
        {
            try
            {
                compiled.Add(new Regex(p, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant | RegexOptions.IgnoreCase));
            }
            catch (NotSupportedException ex)
            {
                throw new ArgumentException($"The banned pattern '{p}' uses a construct (backreference, lookaround or atomic group) that the non-backtracking engine does not support; rewrite it without one.", nameof(patterns), ex);
            }
        }

        _patterns = [.. compiled];
    }

    /// <inheritdoc/>
    public string Name => "banned_content";

    /// <inheritdoc/>
    public GuardrailStage Stages { get; set; } = GuardrailStage.Both;

    /// <inheritdoc/>
    public GuardrailFailureMode FailureMode { get; set; } = GuardrailFailureMode.FailClosed;

    /// <summary>Gets or sets the action on a match: Block, Redact or Flag.</summary>
    /// <value>The default value is <see cref="GuardrailAction.Block"/>.</value>
    public GuardrailAction Action { get; set; } = GuardrailAction.Block;

    /// <inheritdoc/>
    public ValueTask<GuardrailResult> ScanAsync(string text, GuardrailContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var findings = new List<GuardrailFinding>();
        for (var i = 0; i < _substrings.Length; i++)
        {
            var at = 0;
            while ((at = text.IndexOf(_substrings[i], at, StringComparison.OrdinalIgnoreCase)) >= 0)
            {
                findings.Add(new GuardrailFinding("banned.substring", at, _substrings[i].Length, 1, $"Banned substring #{i}.") { Replacement = "[REDACTED]" });
                at += _substrings[i].Length;
            }
        }

        for (var i = 0; i < _patterns.Length; i++)
        {
            foreach (var match in _patterns[i].EnumerateMatches(text))
            {
                if (match.Length > 0)
                {
                    findings.Add(new GuardrailFinding("banned.pattern", match.Index, match.Length, 1, $"Banned pattern #{i}.") { Replacement = "[REDACTED]" });
                }
            }
        }

        if (findings.Count == 0)
        {
            return ValueTask.FromResult(GuardrailResult.Allow());
        }

        return ValueTask.FromResult(Action switch
        {
            GuardrailAction.Redact => GuardrailResult.Redact(text, findings),
            GuardrailAction.Flag => GuardrailResult.Flag(findings),
            GuardrailAction.Allow => GuardrailResult.Allow(),
            _ => GuardrailResult.Block(findings),
        });
    }
}
