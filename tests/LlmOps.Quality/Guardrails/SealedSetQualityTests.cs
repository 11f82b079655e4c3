using LlmOps.Guardrails.Injection;
using LlmOps.Guardrails.Training;
using Xunit.Abstractions;

namespace LlmOps.Quality.Guardrails;

/// <summary>
/// The issue's injection gates on the sealed set (Data/blind4), with the default detector (grammar plus trained layer).
/// The set was written by an author who saw neither the detector, its training data nor any other set, and it was kept
/// out of training (<see cref="TrainingCorpus.SealedSets"/>) and unread until the model was final; its obfuscated
/// variants come from Data/make_obfuscated.py. Anyone who tunes on its misses spends it: write a new sealed set for the
/// next claim. Figures: benchmarks/results/GuardrailsQuality.md, "Sealed set (blind set 4)".
/// </summary>
public sealed class SealedSetQualityTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, Lazy<InjectionSetMeasurement>> Sets = TrainingCorpus.SealedSets.ToDictionary(
        name => name,
        name => new Lazy<InjectionSetMeasurement>(() => InjectionSetMeasurement.Load(
            new PromptInjectionGuardrail(),
            $"{name}/injection_{name}.tsv", $"{name}/injection_obfuscated_{name}.tsv", $"{name}/benign_{name}.txt", $"{name}/hard_negatives_{name}.txt")),
        StringComparer.Ordinal);

    public static TheoryData<string> Names() => [.. TrainingCorpus.SealedSets];

    [Theory]
    [MemberData(nameof(Names))]
    public void SealedSet_SizesAndFamilies_MatchTheIssue_AndShareNoTextWithTheTrainingCorpus(string name)
    {
        var m = Sets[name].Value;
        Assert.True(m.Attacks.Count >= 200, $"{m.Attacks.Count} attacks");
        Assert.Equal(8, m.Attacks.Select(a => a.Key).Distinct().Count());
        Assert.All(m.Attacks.GroupBy(a => a.Key), g => Assert.True(g.Count() >= 25, $"family {g.Key}: {g.Count()}"));
        Assert.True(m.Benign.Count >= 300, $"{m.Benign.Count} benign");
        Assert.True(m.Hard.Count >= 100, $"{m.Hard.Count} hard negatives");
        Assert.Contains(name, TrainingCorpus.SealedSets);

        var training = TrainingCorpus.Load(QualityData.PathOf(".")).Select(e => InjectionSetMeasurement.Key(e.Text)).ToHashSet(StringComparer.Ordinal);
        var shared = m.Attacks.Select(a => a.Text).Concat(m.Benign).Concat(m.Hard).Where(t => training.Contains(InjectionSetMeasurement.Key(t))).ToList();
        Assert.True(shared.Count == 0, "sealed texts also in the training corpus:\n" + string.Join("\n", shared));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void SealedReport_WritesEveryFamilyObfuscationAndMiss_ToTheOutput(string name)
    {
        var m = Sets[name].Value;
        output.WriteLine(m.Report(name));

        Assert.Equal(m.Attacks.Count + m.Variants.Count + m.Benign.Count + m.Hard.Count, m.Scored);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void SealedInjectionTpr_AtLeast85Percent_MeetsTheIssueGate(string name)
    {
        var m = Sets[name].Value;
        output.WriteLine(QualityData.Row("Injection TPR (plain attacks)", name, m.AttackHits, m.Attacks.Count, ">= 85%", m.Tpr >= 0.85));
        Assert.True(m.Tpr >= 0.85, $"{name} TPR {m.Tpr:P1}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void SealedObfuscatedTpr_WithinTenPointsOfPlain_MeetsTheIssueGate(string name)
    {
        var m = Sets[name].Value;
        output.WriteLine(QualityData.Row("Obfuscated variants TPR", name, m.VariantHits, m.Variants.Count, $">= plain - 10 pts ({(m.Tpr - 0.10) * 100:0.0}%)", m.ObfuscatedTpr >= m.Tpr - 0.10));
        Assert.True(m.ObfuscatedTpr >= m.Tpr - 0.10, $"obfuscated {m.ObfuscatedTpr:P1} vs plain {m.Tpr:P1}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void SealedBenignFpr_AtMostOnePercent_MeetsTheIssueGate(string name)
    {
        var m = Sets[name].Value;
        output.WriteLine(QualityData.Row("Benign FPR", name, m.BenignFlagged, m.Benign.Count, "<= 1%", m.BenignFpr <= 0.01));
        Assert.True(m.BenignFpr <= 0.01, $"benign FPR {m.BenignFpr:P1}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void SealedHardNegativeFpr_AtMostFivePercent_MeetsTheIssueGate(string name)
    {
        var m = Sets[name].Value;
        output.WriteLine(QualityData.Row("Hard-negative FPR", name, m.HardFlagged, m.Hard.Count, "<= 5%", m.HardFpr <= 0.05));
        Assert.True(m.HardFpr <= 0.05, $"hard-negative FPR {m.HardFpr:P1}");
    }
}
