using System.Globalization;
using System.Text;
using LlmOps.Guardrails;
using LlmOps.Guardrails.Scanners;
using LlmOps.Guardrails.Training;
using LlmOps.Tests.Guardrails;
using Xunit.Abstractions;

namespace LlmOps.Quality.Guardrails;

/// <summary>
/// The PII, secrets and invisible-text scanners find exactly what they found when the pins were written (issue 16: speed
/// work must not change a finding): on the injection training corpus (18,518 texts), the PII, card, IBAN, SSN and secret
/// quality sets, and 4,000 synthetic texts dense in digit groups, addresses, keys and separators, every finding's type,
/// span and score equals its pin. Regenerate the pins only when a scanner is meant to change: run this test with
/// <c>LLMOPS_REPIN=1</c>, which rewrites <c>ScannerFindingPins.tsv</c>.
/// </summary>
public sealed class ScannerFindingPinTests(ITestOutputHelper output)
{
    private const string PinsFile = "ScannerFindingPins.tsv";

    [Fact]
    public async Task Scanners_GiveThePinnedFindings_OnTheCorpora()
    {
        var repository = TrainingCorpus.FindRepositoryRoot(AppContext.BaseDirectory);
        var path = Path.Combine(repository, "tests", "LlmOps.Quality", "Guardrails", PinsFile);
        var texts = Corpus();
        var now = await ComputeAsync(texts);
        if (Environment.GetEnvironmentVariable("LLMOPS_REPIN") == "1")
        {
            await File.WriteAllLinesAsync(path, now);
            output.WriteLine($"Re-pinned {now.Count - 1} texts with findings of {texts.Count} to {path}.");
        }

        var pins = await File.ReadAllLinesAsync(path);
        Assert.True(pins[0] == now[0], $"The corpus changed ({now[0]}; pinned {pins[0]}): re-pin.");
        var pinned = pins.Skip(1).ToDictionary(l => l[..l.IndexOf('\t', StringComparison.Ordinal)], StringComparer.Ordinal);
        var actual = now.Skip(1).ToDictionary(l => l[..l.IndexOf('\t', StringComparison.Ordinal)], StringComparer.Ordinal);
        var failures = new List<string>();
        foreach (var key in pinned.Keys.Union(actual.Keys).Order(StringComparer.Ordinal))
        {
            var expected = pinned.GetValueOrDefault(key, "(nothing)");
            var found = actual.GetValueOrDefault(key, "(nothing)");
            if (expected != found)
            {
                failures.Add($"pinned {expected} / now {found}");
            }
        }

        output.WriteLine($"{texts.Count} texts, {actual.Count} with findings, {failures.Count} differ.");
        Assert.True(pinned.Count > 2000, $"Only {pinned.Count} texts have pinned findings: the corpus lost its PII-bearing texts.");
        Assert.True(failures.Count == 0, $"{failures.Count} texts differ from their pins (first 10): {string.Join("; ", failures.Take(10))}");
    }

    /// <summary>One line per text with any finding (the text's number and hash, then each scanner's findings), after a header with the corpus size and hash.</summary>
    private static async Task<List<string>> ComputeAsync(IReadOnlyList<string> texts)
    {
        var secrets = new SecretsGuardrail();
        var invisible = new InvisibleTextGuardrail { FlagOnly = true };
        var context = new GuardrailContext(GuardrailStage.Output, []);
        var lines = new List<string> { $"corpus\t{texts.Count}\t{ScorePins.Hash(string.Join('\u0001', texts))}" };
        var line = new StringBuilder();
        for (var i = 0; i < texts.Count; i++)
        {
            var text = texts[i];
            line.Clear();
            Append(line, "pii", PiiGuardrail.Detect(text));
            Append(line, "secrets", secrets.Detect(text));
            Append(line, "invisible", (await invisible.ScanAsync(text, context, default)).Findings);
            if (line.Length > 0)
            {
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"{i}\t{ScorePins.Hash(text)}{line}"));
            }
        }

        return lines;
    }

    private static void Append(StringBuilder line, string scanner, IReadOnlyList<GuardrailFinding> findings)
    {
        foreach (var f in findings)
        {
            line.Append(CultureInfo.InvariantCulture, $"\t{scanner}:{f.Type}:{f.Start}:{f.Length}:{f.Score:R}");
        }
    }

    /// <summary>The injection training corpus, the scanners' quality sets, and synthetic texts dense in PII and secrets.</summary>
    private static List<string> Corpus()
    {
        var texts = new List<string>();
        texts.AddRange(TrainingCorpus.LoadShipped(QualityData.PathOf("."), QualityData.PublicInjectionRoot).Select(e => e.Text));
        texts.AddRange(QualityData.Triples("pii_recall.tsv").Select(t => t.Text));
        texts.AddRange(QualityData.Pairs("cards.tsv").Select(p => p.Text));
        texts.AddRange(QualityData.Pairs("ibans.tsv").Select(p => p.Text));
        texts.AddRange(QualityData.Lines("ssn_invalid.txt"));
        var rng = new Random(16);
        foreach (var (kind, template) in QualityData.Pairs("secrets_templates.tsv"))
        {
            for (var copy = 0; copy < 3; copy++)
            {
                texts.Add(template.Replace("{secret}", Secret(kind, rng), StringComparison.Ordinal));
            }
        }

        for (var i = 0; i < 4000; i++)
        {
            texts.Add(Synthetic(rng));
        }

        return texts;
    }

    private static string Secret(string kind, Random rng) => kind switch
    {
        "aws_access_key" => TestSecrets.AwsAccessKeyId(rng),
        "aws_secret" => TestSecrets.AwsSecretKey(rng),
        "github" => TestSecrets.GitHub(rng),
        "github_fine_grained" => TestSecrets.GitHubFineGrained(rng),
        "gitlab" => TestSecrets.GitLab(rng),
        "slack" => TestSecrets.Slack(rng),
        "stripe" => TestSecrets.Stripe(rng),
        "openai" => TestSecrets.OpenAi(rng),
        "jwt" => TestSecrets.Jwt(rng),
        "private_key" => TestSecrets.PrivateKey(rng),
        "url_password" => TestSecrets.UrlPassword(rng, out _),
        _ => TestSecrets.HighEntropy(rng),
    };

    /// <summary>
    /// A text of words, digit groups, addresses and tokens run together with the separators the PII patterns read
    /// (spaces, dots, dashes, parentheses, colons, '@', '+'), so matches start, end and overlap at every kind of boundary.
    /// </summary>
    private static string Synthetic(Random rng)
    {
        string[] words = ["call", "me", "at", "card", "IBAN", "DE", "GB", "ssn", "ip", "the", "order", "bc1", "0x", "ref", "AKIA", "sk-", "ghp_", "eyJ", "https://", "user:pw@host", "x", "ä", "\u200B"];
        const string Separators = "   ..--()/:@+_,;\n";
        var builder = new StringBuilder();
        var parts = rng.Next(4, 24);
        for (var p = 0; p < parts; p++)
        {
            switch (rng.Next(9))
            {
                case 0:
                case 1:
                    builder.Append(TestSecrets.Random(rng, "0123456789", rng.Next(1, 7)));
                    break;
                case 2:
                    builder.Append(words[rng.Next(words.Length)]);
                    break;
                case 3:
                    builder.Append(TestSecrets.Random(rng, "abcdef0123456789", rng.Next(1, 5))).Append(':');
                    break;
                case 4:
                    builder.Append(TestSecrets.Random(rng, "abcdefghijklmnopqrstuvwxyz", rng.Next(1, 9))).Append('@').Append(TestSecrets.Random(rng, "abcdefghij", rng.Next(1, 6))).Append('.').Append(TestSecrets.Random(rng, "comnetorg", rng.Next(1, 4)));
                    break;
                case 5:
                    builder.Append(TestSecrets.Random(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", rng.Next(2, 30)));
                    break;
                case 6:
                    builder.Append(TestSecrets.Random(rng, "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz123456789+/=_-", rng.Next(10, 60)));
                    break;
                case 7:
                    builder.Append(string.Join('.', Enumerable.Range(0, rng.Next(2, 6)).Select(_ => rng.Next(0, 300).ToString(CultureInfo.InvariantCulture))));
                    break;
                default:
                    builder.Append('+').Append(rng.Next(1, 99).ToString(CultureInfo.InvariantCulture));
                    break;
            }

            builder.Append(Separators[rng.Next(Separators.Length)]);
        }

        return builder.ToString();
    }
}
