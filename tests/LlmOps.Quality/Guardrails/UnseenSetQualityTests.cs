using Xunit.Abstractions;

namespace LlmOps.Quality.Guardrails;

/// <summary>
/// The injection quality gates on the two sets no detector work has seen (Data/blind2, Data/blind3). Each was written by
/// a separate author who saw neither the detector nor any other set, and measured only after detector v2 was final;
/// items that happened to equal items of earlier sets were removed first (checked below). Obfuscated variants come from
/// Data/make_obfuscated.py (the same obfuscations and seed for every blind set). They were the honest figures for the
/// grammar on unseen text; since then both sets are training data for the trained layer, so these tests measure the
/// grammar alone (<see cref="LlmOps.Guardrails.Injection.PromptInjectionGuardrail.UseTrainedModel"/> off) as its
/// regression history. The default detector's blind measurement is <see cref="SealedSetQualityTests"/>.
/// Where a gate is NOT met, the bound asserted is a regression bound 5 points from the measured value, and the set's
/// label says "below gate"; do not "fix" such a bound by tuning on these sets (that would make them development data).
/// Figures: benchmarks/results/GuardrailsQuality.md, "Blind set 2" and "Blind set 3".
/// </summary>
public sealed class UnseenSetQualityTests(ITestOutputHelper output)
{
    // Measured 2026-11-29 with detector v2 (rules only):
    //   blind2: TPR 176/267 = 65.9%, benign FPR 5/321 = 1.6%, hard-negative FPR 5/116 = 4.3%, obfuscated 59.4%.
    //   blind3: TPR 140/213 = 65.7%, benign FPR 1/298 = 0.3%, hard-negative FPR 5/101 = 5.0%, obfuscated 64.1%.
    private static readonly Dictionary<string, UnseenSet> Sets = new(StringComparer.Ordinal)
    {
        ["blind2"] = new("blind2", TprFloor: 0.61, TprLabel: "below gate: floor 61.0%", BenignCeiling: 0.066, BenignLabel: "above gate: ceiling 6.6%", HardCeiling: 0.05),
        ["blind3"] = new("blind3", TprFloor: 0.607, TprLabel: "below gate: floor 60.7%", BenignCeiling: 0.01, BenignLabel: "gate", HardCeiling: 0.05),
    };

    private static readonly Dictionary<string, Lazy<InjectionSetMeasurement>> Measured = Sets.ToDictionary(
        s => s.Key,
        s => new Lazy<InjectionSetMeasurement>(() => InjectionSetMeasurement.Load(
            $"{s.Key}/injection_{s.Key}.tsv", $"{s.Key}/injection_obfuscated_{s.Key}.tsv", $"{s.Key}/benign_{s.Key}.txt", $"{s.Key}/hard_negatives_{s.Key}.txt")),
        StringComparer.Ordinal);

    public static TheoryData<string> Names() => ["blind2", "blind3"];

    [Theory]
    [MemberData(nameof(Names))]
    public void Set_SizesAndFamilies_MatchTheIssue_AndShareNoTextWithAnyOtherSet(string name)
    {
        var m = Measured[name].Value;
        Assert.True(m.Attacks.Count >= 200, $"{m.Attacks.Count} attacks");
        Assert.Equal(8, m.Attacks.Select(a => a.Key).Distinct().Count());
        Assert.All(m.Attacks.GroupBy(a => a.Key), g => Assert.True(g.Count() >= 25, $"family {g.Key}: {g.Count()}"));
        Assert.True(m.Benign.Count >= 290, $"{m.Benign.Count} benign");
        Assert.True(m.Hard.Count >= 100, $"{m.Hard.Count} hard negatives");

        var others = new[] { "tune", "heldout" }
            .SelectMany(split => QualityData.Pairs($"injection_{split}.tsv").Select(a => a.Text)
                .Concat(QualityData.Lines($"benign_{split}.txt"))
                .Concat(QualityData.Lines($"hard_negatives_{split}.txt")))
            .Concat(new[] { "blind", "blind2", "blind3" }.Where(set => set != name).SelectMany(set =>
                QualityData.Pairs($"{set}/injection_{set}.tsv").Select(a => a.Text)
                    .Concat(QualityData.Lines($"{set}/benign_{set}.txt"))
                    .Concat(QualityData.Lines($"{set}/hard_negatives_{set}.txt"))))
            .Select(InjectionSetMeasurement.Key)
            .ToHashSet(StringComparer.Ordinal);
        var shared = m.Attacks.Select(a => a.Text).Concat(m.Benign).Concat(m.Hard).Where(t => others.Contains(InjectionSetMeasurement.Key(t))).ToList();
        Assert.True(shared.Count == 0, $"{name} texts also in another set:\n" + string.Join("\n", shared));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Report_WritesEveryFamilyObfuscationAndMiss_ToTheOutput(string name)
    {
        var m = Measured[name].Value;
        output.WriteLine(m.Report(name));

        Assert.Equal(m.Attacks.Count + m.Variants.Count + m.Benign.Count + m.Hard.Count, m.Scored);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void InjectionTpr_StaysAboveItsBound(string name)
    {
        // Both sets are BELOW the issue gate (>= 85%): the bound is a regression floor, see Sets.
        var (m, set) = (Measured[name].Value, Sets[name]);
        output.WriteLine(QualityData.Row($"Injection TPR ({name})", name, m.AttackHits, m.Attacks.Count, $">= 85% ({set.TprLabel})", m.Tpr >= 0.85));
        Assert.True(m.Tpr >= set.TprFloor, $"{name} TPR {m.Tpr:P1} fell below {set.TprLabel}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ObfuscatedTpr_WithinTenPointsOfPlain_MeetsTheIssueGate(string name)
    {
        var m = Measured[name].Value;
        output.WriteLine(QualityData.Row($"Obfuscated variants TPR ({name})", name, m.VariantHits, m.Variants.Count, $">= plain - 10 pts ({(m.Tpr - 0.10) * 100:0.0}%)", m.ObfuscatedTpr >= m.Tpr - 0.10));
        Assert.True(m.ObfuscatedTpr >= m.Tpr - 0.10, $"obfuscated {m.ObfuscatedTpr:P1} vs plain {m.Tpr:P1}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void BenignFpr_StaysUnderItsBound(string name)
    {
        // blind3 meets the issue gate (<= 1%); blind2 does not, and asserts a regression ceiling, see Sets.
        var (m, set) = (Measured[name].Value, Sets[name]);
        output.WriteLine(QualityData.Row($"Benign FPR ({name})", name, m.BenignFlagged, m.Benign.Count, $"<= 1% ({set.BenignLabel})", m.BenignFpr <= 0.01));
        Assert.True(m.BenignFpr <= set.BenignCeiling, $"{name} benign FPR {m.BenignFpr:P1} rose above {set.BenignLabel} ({set.BenignCeiling:P1})");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void HardNegativeFpr_AtMostFivePercent_MeetsTheIssueGate(string name)
    {
        var m = Measured[name].Value;
        output.WriteLine(QualityData.Row($"Hard-negative FPR ({name})", name, m.HardFlagged, m.Hard.Count, "<= 5%", m.HardFpr <= 0.05));
        Assert.True(m.HardFpr <= Sets[name].HardCeiling, $"{name} hard-negative FPR {m.HardFpr:P1} is above the 5% gate");
    }

    private sealed record UnseenSet(string Name, double TprFloor, string TprLabel, double BenignCeiling, string BenignLabel, double HardCeiling);
}
