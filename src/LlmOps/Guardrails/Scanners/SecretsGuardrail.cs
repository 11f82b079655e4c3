using System.Buffers;
using System.Text.RegularExpressions;

namespace LlmOps.Guardrails.Scanners;

/// <summary>
/// Finds credentials: AWS access key ids and secret keys, GitHub, GitLab, Slack, Stripe and OpenAI-style tokens, JWTs,
/// private-key blocks, passwords embedded in URLs, and high-entropy strings. Redacts by default (<c>[REDACTED_SECRET]</c>).
/// </summary>
public sealed class SecretsGuardrail : IGuardrail
{
    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    // Each pattern with the literals one of which every match contains: a text with none of them skips the pattern
    // (a vectorised search instead of a regex pass; the findings are the same).
    private static readonly (string Type, Regex Pattern, SearchValues<string> Required)[] Patterns =
    [
        ("secret.aws_access_key", new(@"(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}", Options), Literals(StringComparison.Ordinal, "AKIA", "ASIA", "ABIA", "ACCA")),
        ("secret.aws_secret_key", new(@"(?i:aws)[A-Za-z_ .\-]{0,24}(?i:secret)[A-Za-z_ .\-]{0,24}[""']?\s{0,3}[:=]\s{0,3}[""']?(?<v>[A-Za-z0-9/+]{40})", Options), Literals(StringComparison.OrdinalIgnoreCase, "aws")),
        ("secret.github_token", new(@"(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})", Options), Literals(StringComparison.Ordinal, "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")),
        ("secret.gitlab_token", new(@"glpat-[A-Za-z0-9_\-]{20,64}", Options), Literals(StringComparison.Ordinal, "glpat-")),
        ("secret.slack_token", new(@"xox[abposr]-[A-Za-z0-9\-]{10,200}", Options), Literals(StringComparison.Ordinal, "xox")),
        ("secret.stripe_key", new(@"(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,128}", Options), Literals(StringComparison.Ordinal, "_live_", "_test_")),
        ("secret.openai_key", new(@"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,200}", Options), Literals(StringComparison.Ordinal, "sk-")),
        ("secret.jwt", new(@"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}", Options), Literals(StringComparison.Ordinal, "eyJ")),
        ("secret.url_password", new(@"[A-Za-z][A-Za-z0-9+.\-]{1,20}://[^\s:/@]{1,64}:(?<v>[^\s/@]{1,128})@", Options), Literals(StringComparison.Ordinal, "://")),
    ];

    // A key block is found from its markers rather than one pattern: a bounded "anything up to 16K" loop would make the
    // non-backtracking automaton too large.
    private static readonly Regex KeyBegin = new(@"-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY( BLOCK)?-----", Options);
    private static readonly Regex KeyEnd = new(@"-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY( BLOCK)?-----", Options);
    private const int MaxKeyBlock = 16384;

    // A high-entropy candidate is a run of at least 24 token characters: ordinary prose has none, and the regex runs only
    // on the runs that long (see RunScopedRegex).
    private static readonly RunScopedRegex Candidate = new(
        new(@"[A-Za-z0-9+/=_\-]{24,512}", Options), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-", required: null, minimumLength: 24);

    /// <summary>Gets the run-scoped patterns (for the tests that check their alphabets against whole-text matching).</summary>
    internal static IReadOnlyList<RunScopedRegex> ScopedPatterns => [Candidate];

    /// <inheritdoc/>
    public string Name => "secrets";

    /// <inheritdoc/>
    public GuardrailStage Stages { get; set; } = GuardrailStage.Both;

    /// <inheritdoc/>
    public GuardrailFailureMode FailureMode { get; set; } = GuardrailFailureMode.FailClosed;

    /// <summary>Gets or sets a value indicating whether a secret blocks instead of being redacted.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Block { get; set; }

    /// <summary>
    /// Gets or sets the Shannon entropy, in bits per character, above which a run of 24 or more token characters that
    /// mixes letters and digits counts as a secret. Set to a value above 6 to turn the check off.
    /// </summary>
    /// <value>The default value is 4.3 (random base64 scores about 5 to 6; English words and ids score below 4).</value>
    public double EntropyThreshold { get; set; } = 4.3;

    private static SearchValues<string> Literals(StringComparison comparison, params string[] values) => SearchValues.Create(values, comparison);

    /// <summary>Finds secrets without acting on them.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The findings with <c>[REDACTED_SECRET]</c> replacements, ordered by position.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public IReadOnlyList<GuardrailFinding> Detect(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var findings = new List<GuardrailFinding>();
        if (text.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            CollectKeyBlocks(text, findings);
        }

        foreach (var (type, pattern, required) in Patterns)
        {
            if (!text.AsSpan().ContainsAny(required))
            {
                continue;
            }

            foreach (Match match in pattern.Matches(text))
            {
                var g = match.Groups["v"];
                var (start, length) = g.Success ? (g.Index, g.Length) : (match.Index, match.Length);
                if (text.AsSpan(start, length).StartsWith("[REDACTED", StringComparison.Ordinal))
                {
                    // Already redacted (a re-scan, or an earlier stage).
                    continue;
                }

                if (!Overlaps(findings, start, start + length))
                {
                    findings.Add(new GuardrailFinding(type, start, length, 0.99, $"Looks like {type["secret.".Length..].Replace('_', ' ')}.") { Replacement = "[REDACTED_SECRET]" });
                }
            }
        }

        if (EntropyThreshold <= 6)
        {
            for (var match = Candidate.Match(text, 0); match.Success; match = Candidate.Match(text, match.Index + match.Length))
            {
                var span = text.AsSpan(match.Index, match.Length);
                if (!Overlaps(findings, match.Index, match.Index + match.Length) && MixesLettersAndDigits(span) && Entropy(span) >= EntropyThreshold)
                {
                    findings.Add(new GuardrailFinding("secret.high_entropy", match.Index, match.Length, 0.7, "A long high-entropy string.") { Replacement = "[REDACTED_SECRET]" });
                }
            }
        }

        findings.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        return findings;
    }

    /// <inheritdoc/>
    public ValueTask<GuardrailResult> ScanAsync(string text, GuardrailContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var found = Detect(text);
        return ValueTask.FromResult(found.Count == 0 ? GuardrailResult.Allow() : Block ? GuardrailResult.Block(found) : GuardrailResult.Redact(text, found));
    }

    /// <summary>Computes the Shannon entropy of a string in bits per character.</summary>
    /// <param name="value">The string.</param>
    /// <returns>The entropy; 0 for an empty string.</returns>
    public static double Entropy(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return 0;
        }

        Span<int> counts = stackalloc int[128];
        var other = 0;
        foreach (var c in value)
        {
            if (c < 128)
            {
                counts[c]++;
            }
            else
            {
                other++;
            }
        }

        double entropy = 0;
        double n = value.Length;
        foreach (var count in counts)
        {
            if (count > 0)
            {
                var p = count / n;
                entropy -= p * Math.Log2(p);
            }
        }

        if (other > 0)
        {
            var p = other / n;
            entropy -= p * Math.Log2(p);
        }

        return entropy;
    }

    private static void CollectKeyBlocks(string text, List<GuardrailFinding> findings)
    {
        foreach (var begin in KeyBegin.EnumerateMatches(text))
        {
            var start = begin.Index;
            if (Overlaps(findings, start, start + begin.Length))
            {
                continue;
            }

            var bodyStart = start + begin.Length;
            var limit = Math.Min(text.Length - bodyStart, MaxKeyBlock);
            var end = -1;
            foreach (var close in KeyEnd.EnumerateMatches(text.AsSpan(bodyStart, limit)))
            {
                end = bodyStart + close.Index + close.Length;
                break;
            }

            if (end < 0)
            {
                // A truncated block: cover the header and the base64 body that follows it.
                end = bodyStart;
                while (end < bodyStart + limit && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '+' or '/' or '=' or '\n' or '\r' or ' ' or ':' or '-' or ','))
                {
                    if (text[end] == '-' && text.AsSpan(end).StartsWith("-----", StringComparison.Ordinal))
                    {
                        break;
                    }

                    end++;
                }
            }

            findings.Add(new GuardrailFinding("secret.private_key", start, end - start, 0.99, "Looks like private key.") { Replacement = "[REDACTED_SECRET]" });
        }
    }

    private static bool MixesLettersAndDigits(ReadOnlySpan<char> value)
    {
        bool letter = false, digit = false;
        foreach (var c in value)
        {
            letter |= char.IsAsciiLetter(c);
            digit |= char.IsAsciiDigit(c);
        }

        return letter && digit;
    }

    private static bool Overlaps(List<GuardrailFinding> findings, int start, int end)
    {
        foreach (var f in findings)
        {
            if (start < f.Start + f.Length && f.Start < end)
            {
                return true;
            }
        }

        return false;
    }
}
