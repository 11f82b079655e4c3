using System.Text;
using System.Text.RegularExpressions;
using LlmOps.Guardrails.Scanners;

namespace LlmOps.Tests.Guardrails;

/// <summary>
/// The scanners' run-scoped regexes find exactly the matches of their regexes over the whole text (issue 16), and the
/// alphabet, required characters and shortest length declared beside each pattern are true of every match.
/// </summary>
public sealed class RunScopedRegexTests
{
    public static TheoryData<string, int> Patterns()
    {
        var data = new TheoryData<string, int>();
        for (var i = 0; i < PiiGuardrail.ScopedPatterns.Count; i++)
        {
            data.Add("pii", i);
        }

        for (var i = 0; i < SecretsGuardrail.ScopedPatterns.Count; i++)
        {
            data.Add("secrets", i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Patterns))]
    public void Match_FromEveryStart_IsTheWholeTextMatch(string scanner, int index)
    {
        var scoped = Pattern(scanner, index);
        var rng = new Random(1600 + index);
        var compared = 0;
        var successes = 0;
        for (var t = 0; t < 300; t++)
        {
            var text = RandomText(rng);
            for (var start = 0; start <= text.Length; start += 1 + rng.Next(4))
            {
                var expected = scoped.Regex.Match(text, start);
                var actual = scoped.Match(text, start);
                Assert.True(
                    expected.Success == actual.Success && (!expected.Success || (expected.Index == actual.Index && expected.Length == actual.Length)),
                    $"{scanner} pattern {index} from {start} in \"{text}\": whole text {Show(expected)}, run-scoped {Show(actual)}.");
                compared++;
                successes += expected.Success ? 1 : 0;
            }
        }

        // The texts must exercise the pattern, not only its absence.
        Assert.True(successes > compared / 100, $"Only {successes} of {compared} searches found a match: the random texts do not exercise {scanner} pattern {index}.");
    }

    [Theory]
    [MemberData(nameof(Patterns))]
    public void DeclaredAlphabet_HoldsForEveryMatch(string scanner, int index)
    {
        var scoped = Pattern(scanner, index);
        var rng = new Random(2600 + index);
        var matches = 0;
        for (var t = 0; t < 400; t++)
        {
            var text = RandomText(rng);
            for (var start = 0; start < text.Length; start += 1 + rng.Next(6))
            {
                var match = scoped.Regex.Match(text, start);
                if (!match.Success)
                {
                    break;
                }

                matches++;
                var value = match.Value;
                Assert.False(value.AsSpan().ContainsAnyExcept(scoped.Alphabet), $"{scanner} pattern {index} matched \"{value}\", which has a character outside its declared alphabet.");
                Assert.True(scoped.Required is null || value.AsSpan().ContainsAny(scoped.Required), $"{scanner} pattern {index} matched \"{value}\" without any of its required characters \"{scoped.Required}\".");
                Assert.True(value.Length >= scoped.MinimumLength, $"{scanner} pattern {index} matched \"{value}\", shorter than its declared minimum {scoped.MinimumLength}.");
                start = match.Index;
            }
        }

        Assert.True(matches > 100, $"Only {matches} matches: the random texts do not exercise {scanner} pattern {index}.");
    }

    [Fact]
    public void Match_ReportsPositionsInTheWholeText()
    {
        var email = PiiGuardrail.ScopedPatterns[0];
        var match = email.Match("write to alice@example.com, or bob@example.org.", 0);
        Assert.Equal((9, 17), (match.Index, match.Length));
        var next = email.Match("write to alice@example.com, or bob@example.org.", match.Index + match.Length);
        Assert.Equal("bob@example.org", next.Value);
        Assert.False(email.Match("no address here, only @ signs @ and words", 0).Success);
    }

    private static RunScopedRegex Pattern(string scanner, int index)
        => scanner == "pii" ? PiiGuardrail.ScopedPatterns[index] : SecretsGuardrail.ScopedPatterns[index];

    private static string Show(Match match) => match.Success ? $"[{match.Index}, +{match.Length}) \"{match.Value}\"" : "no match";

    /// <summary>Words, digit groups, hex groups, addresses and long tokens joined by the separators the patterns read.</summary>
    private static string RandomText(Random rng)
    {
        const string Separators = "  ..--()+:@_/=%,;!\nä";
        var builder = new StringBuilder();
        var parts = rng.Next(3, 16);
        for (var p = 0; p < parts; p++)
        {
            var kind = rng.Next(13);
            if (kind >= 10)
            {
                // Shapes that need several groups in a row: IPv4 addresses, SSNs, wallet addresses.
                builder.Append(kind switch
                {
                    10 => string.Join('.', Enumerable.Range(0, rng.Next(3, 6)).Select(_ => rng.Next(0, 300))),
                    11 => string.Join("- "[rng.Next(2)], rng.Next(1000), rng.Next(100), rng.Next(10000)),
                    _ => "13"[rng.Next(2)] + TestSecrets.Random(rng, "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", rng.Next(24, 36)),
                });
                builder.Append(Separators[rng.Next(Separators.Length)]);
                continue;
            }

            var length = rng.Next(1, 8);
            var alphabet = kind switch
            {
                0 or 1 => "0123456789",
                2 => "abcdefghijklmnopqrstuvwxyz",
                3 => "0123456789abcdefABCDEF",
                4 => "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
                5 => "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz",
                6 => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-",
                _ => "0123456789",
            };
            if (kind is 4 or 5 or 6)
            {
                length = rng.Next(10, 48);
            }

            for (var i = 0; i < length; i++)
            {
                builder.Append(alphabet[rng.Next(alphabet.Length)]);
            }

            if (kind == 7)
            {
                builder.Append('@').Append("example").Append('.').Append(rng.Next(2) == 0 ? "com" : "co.uk");
            }
            else if (kind == 8)
            {
                builder.Append("::").Append("0123456789abcdef"[rng.Next(16)]).Append(rng.Next(2) == 0 ? ":ab12" : string.Empty);
            }
            else if (kind == 9)
            {
                builder.Insert(builder.Length - length, rng.Next(3) switch { 0 => "bc1", 1 => "0x", _ => "DE" });
            }

            builder.Append(Separators[rng.Next(Separators.Length)]);
        }

        return builder.ToString();
    }
}
