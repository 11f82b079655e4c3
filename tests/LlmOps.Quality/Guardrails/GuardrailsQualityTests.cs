using System.Text;
using LlmOps.Guardrails.Injection;
using LlmOps.Guardrails.Scanners;
using LlmOps.Guardrails;
using LlmOps.Tests.Guardrails;
using Xunit.Abstractions;

namespace LlmOps.Quality.Guardrails;

/// <summary>
/// The held-out style quality gates of the guardrails issue, measured on the committed sets (Data/generate.py). Each
/// test writes its table (rate, 95% Wilson interval, gate) to the test output; benchmarks/results/GuardrailsQuality.md
/// holds the figures of the last run. The injection detector was tuned on the *_tune split only.
/// </summary>
public sealed class GuardrailsQualityTests(ITestOutputHelper output)
{
    private const string Header = "| Check | Split | Hits | Rate | 95% Wilson | Gate | Result |\n|---|---|---|---|---|---|---|";
    private static readonly string[] Splits = ["tune", "heldout"];

    [Fact]
    public void CardsAndIbans_RecallIsComplete_AndOneDigitMutationsAreNeverReported()
    {
        var rows = new List<string>();
        var failures = new List<string>();
        foreach (var (file, type, name) in new[] { ("cards.tsv", "pii.credit_card", "Card"), ("ibans.tsv", "pii.iban", "IBAN") })
        {
            var set = QualityData.Pairs(file);
            var found = 0;
            var mutations = 0;
            var reported = 0;
            var rng = new Random(17);
            foreach (var (value, sentence) in set)
            {
                var at = sentence.IndexOf(value, StringComparison.Ordinal);
                if (PiiGuardrail.Detect(sentence).Any(f => f.Type == type && f.Start == at && f.Length == value.Length))
                {
                    found++;
                }
                else
                {
                    failures.Add($"{name} missed: {sentence}");
                }

                for (var i = 0; i < value.Length; i++)
                {
                    if (!char.IsAsciiDigit(value[i]))
                    {
                        continue;
                    }

                    var digit = (char)('0' + ((value[i] - '0' + 1 + rng.Next(9)) % 10));
                    var mutated = sentence.Replace(value, value[..i] + digit + value[(i + 1)..], StringComparison.Ordinal);
                    mutations++;
                    if (PiiGuardrail.Detect(mutated).Any(f => f.Type == type))
                    {
                        reported++;
                        failures.Add($"{name} mutation reported: {mutated}");
                    }
                }
            }

            rows.Add(QualityData.Row($"{name} recall", "all", found, set.Count, "100%", found == set.Count));
            rows.Add(QualityData.Row($"{name} one-digit mutation reported", "all", reported, mutations, "0 reported", reported == 0));
        }

        Report(rows);
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }

    [Fact]
    public void EmailPhoneSsnIp_RecallAtLeast95PercentEach_InvalidSsnsAllRejected()
    {
        var rows = new List<string>();
        var set = QualityData.Triples("pii_recall.tsv");
        var ok = true;
        foreach (var group in set.GroupBy(r => r.Type))
        {
            var type = group.Key == "ip" ? "pii.ip_address" : "pii." + group.Key;
            var hits = 0;
            foreach (var (_, value, sentence) in group)
            {
                var at = sentence.IndexOf(value, StringComparison.Ordinal);
                if (PiiGuardrail.Detect(sentence).Any(f => f.Type == type && f.Start <= at && f.Start + f.Length >= at + value.Length))
                {
                    hits++;
                }
                else
                {
                    output.WriteLine($"missed {group.Key}: {sentence}");
                }
            }

            var met = hits >= 0.95 * group.Count();
            ok &= met;
            rows.Add(QualityData.Row($"{group.Key} recall", "all", hits, group.Count(), ">= 95%", met));
        }

        // Precision side (no gate in the issue): PII findings on the benign prompts, which hold no PII.
        var benign = Splits.SelectMany(split => QualityData.Lines($"benign_{split}.txt")).ToList();
        var flagged = benign.Where(b => PiiGuardrail.Detect(b).Count > 0).ToList();
        rows.Add(QualityData.Row("PII findings on benign prompts", "all", flagged.Count, benign.Count, "(info)", true));
        foreach (var b in flagged.Take(10))
        {
            output.WriteLine($"PII on benign: {b}");
        }

        var invalid = QualityData.Lines("ssn_invalid.txt");
        var rejected = invalid.Count(s => !PiiGuardrail.IsValidSsn(s) && !PiiGuardrail.Detect($"My SSN is {s}.").Any(f => f.Type == "pii.ssn"));
        rows.Add(QualityData.Row("SSN invalid forms rejected", "all", rejected, invalid.Count, "100%", rejected == invalid.Count));
        Report(rows);
        Assert.True(ok, "a PII recall gate is not met; see the output");
        Assert.Equal(invalid.Count, rejected);
    }

    [Fact]
    public async Task Secrets_AllRedacted_AndRescanFindsNothing()
    {
        var scanner = new SecretsGuardrail();
        var context = new GuardrailContext(GuardrailStage.Input, []);
        var rng = new Random(99);
        var total = 0;
        var redacted = 0;
        var clean = 0;
        var failures = new List<string>();
        foreach (var (kind, template) in QualityData.Pairs("secrets_templates.tsv"))
        {
            for (var copy = 0; copy < 3; copy++)
            {
                var (secret, mustVanish) = Make(kind, rng);
                var text = template.Replace("{secret}", secret, StringComparison.Ordinal);
                total++;
                var result = await scanner.ScanAsync(text, context, default);
                var after = result.RedactedText ?? text;
                if (result.Action == GuardrailAction.Redact && !after.Contains(mustVanish, StringComparison.Ordinal))
                {
                    redacted++;
                }
                else
                {
                    failures.Add($"{kind} not redacted in template: {template}");
                }

                if (scanner.Detect(after).Count == 0)
                {
                    clean++;
                }
                else
                {
                    failures.Add($"{kind} re-scan found something in: {template}");
                }
            }
        }

        var benign = Splits.SelectMany(split => QualityData.Lines($"benign_{split}.txt")).ToList();
        var benignFlagged = benign.Count(b => scanner.Detect(b).Count > 0);
        Report([
            QualityData.Row("Secret findings on benign prompts", "all", benignFlagged, benign.Count, "(info)", true),
            QualityData.Row("Secrets redacted", "all", redacted, total, "100%", redacted == total),
            QualityData.Row("Redacted text re-scanned clean", "all", clean, total, "100%", clean == total),
        ]);
        Assert.True(failures.Count == 0, string.Join("\n", failures.Distinct().Take(20)));
    }

    [Fact]
    public void Injection_TprFprAndObfuscationGap_MeetGatesOnBothSplits()
    {
        var detector = new PromptInjectionGuardrail { UseTrainedModel = false };
        var rows = new List<string>();
        var failures = new List<string>();
        foreach (var split in Splits)
        {
            var attacks = QualityData.Pairs($"injection_{split}.tsv");
            var detected = attacks.Count(a => IsInjection(detector, a.Text));
            var tpr = (double)detected / attacks.Count;
            rows.Add(QualityData.Row("Injection TPR (all families)", split, detected, attacks.Count, ">= 85%", tpr >= 0.85));
            foreach (var family in attacks.GroupBy(a => a.Key))
            {
                var hits = family.Count(a => IsInjection(detector, a.Text));
                rows.Add(QualityData.Row($"  family {family.Key}", split, hits, family.Count(), "(info)", true));
                foreach (var miss in family.Where(a => !IsInjection(detector, a.Text)).Take(split == "tune" ? 50 : 0))
                {
                    output.WriteLine($"[tune] missed {family.Key}: {miss.Text.Replace("\n", "\\n", StringComparison.Ordinal)}");
                }
            }

            var plain = attacks.Where(a => a.Key != "obfuscated").ToList();
            var plainHits = plain.Count(a => IsInjection(detector, a.Text));
            var variants = QualityData.Pairs($"injection_obfuscated_{split}.tsv");
            var variantHits = variants.Count(a => IsInjection(detector, a.Text));
            foreach (var miss in variants.Where(a => !IsInjection(detector, a.Text)).Take(split == "tune" ? 50 : 0))
            {
                output.WriteLine($"[tune] missed obfuscated variant {miss.Key}: {miss.Text.Replace("\n", "\\n", StringComparison.Ordinal)}");
            }

            var plainTpr = (double)plainHits / plain.Count;
            var obfTpr = (double)variantHits / variants.Count;
            var gapMet = obfTpr >= plainTpr - 0.10;
            rows.Add(QualityData.Row("Plain attacks TPR", split, plainHits, plain.Count, "(reference)", true));
            rows.Add(QualityData.Row("Obfuscated variants TPR", split, variantHits, variants.Count, $">= plain - 10 pts ({(plainTpr - 0.10) * 100:0.0}%)", gapMet));
            foreach (var technique in variants.GroupBy(v => v.Key))
            {
                rows.Add(QualityData.Row($"  obfuscation {technique.Key}", split, technique.Count(a => IsInjection(detector, a.Text)), technique.Count(), "(info)", true));
            }

            var benign = QualityData.Lines($"benign_{split}.txt");
            var benignFlagged = benign.Count(b => IsInjection(detector, b));
            var fpr = (double)benignFlagged / benign.Count;
            rows.Add(QualityData.Row("Benign FPR", split, benignFlagged, benign.Count, "<= 1%", fpr <= 0.01));

            var hard = QualityData.Lines($"hard_negatives_{split}.txt");
            var hardFlagged = hard.Count(h => IsInjection(detector, h));
            var hardFpr = (double)hardFlagged / hard.Count;
            rows.Add(QualityData.Row("Hard-negative FPR", split, hardFlagged, hard.Count, "<= 5%", hardFpr <= 0.05));
            if (split == "tune")
            {
                foreach (var fp in benign.Concat(hard).Where(b => IsInjection(detector, b)))
                {
                    output.WriteLine($"[tune] false positive: {fp}");
                }
            }

            // Both splits must meet every gate. Only the tune split's misses are ever printed; the held-out split is
            // reported in aggregate (benchmarks/results/GuardrailsQuality.md).
            if (tpr < 0.85 || !gapMet || fpr > 0.01 || hardFpr > 0.05)
            {
                failures.Add($"{split}: TPR {tpr:P1}, obfuscated {obfTpr:P1} vs plain {plainTpr:P1}, benign FPR {fpr:P1}, hard-negative FPR {hardFpr:P1}");
            }
        }

        Report(rows);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static bool IsInjection(PromptInjectionGuardrail detector, string text) => detector.Score(text).Score >= detector.Threshold;

    private static (string Secret, string MustVanish) Make(string kind, Random rng)
    {
        switch (kind)
        {
            case "aws_access_key": return Same(TestSecrets.AwsAccessKeyId(rng));
            case "aws_secret": return Same(TestSecrets.AwsSecretKey(rng));
            case "github": return Same(TestSecrets.GitHub(rng));
            case "github_fine_grained": return Same(TestSecrets.GitHubFineGrained(rng));
            case "gitlab": return Same(TestSecrets.GitLab(rng));
            case "slack": return Same(TestSecrets.Slack(rng));
            case "stripe": return Same(TestSecrets.Stripe(rng));
            case "openai": return Same(TestSecrets.OpenAi(rng));
            case "jwt": return Same(TestSecrets.Jwt(rng));
            case "high_entropy": return Same(TestSecrets.HighEntropy(rng));
            case "private_key":
                var key = TestSecrets.PrivateKey(rng);
                return (key, key.Split('\n')[2]);
            case "url_password":
                var url = TestSecrets.UrlPassword(rng, out var password);
                return (url, password);
            default: throw new ArgumentException($"Unknown secret kind '{kind}' in secrets_templates.tsv.", nameof(kind));
        }

        static (string, string) Same(string s) => (s, s);
    }

    private void Report(IEnumerable<string> rows)
    {
        var text = new StringBuilder(Header).AppendLine();
        foreach (var row in rows)
        {
            text.AppendLine(row);
        }

        output.WriteLine(text.ToString());
    }
}
