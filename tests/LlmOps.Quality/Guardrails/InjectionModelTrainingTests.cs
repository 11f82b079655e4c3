using System.Globalization;
using LlmOps.Guardrails.Injection;
using LlmOps.Guardrails.Training;
using Xunit.Abstractions;

namespace LlmOps.Quality.Guardrails;

/// <summary>
/// The shipped injection model is what the training tool makes from the committed data, and it generalises across
/// authors: leave-one-source-out cross-validation trains on every other author's set and scores the one left out, so
/// each figure is on text written by someone the model never saw. Figures: benchmarks/results/InjectionModelTraining.md.
/// </summary>
public sealed class InjectionModelTrainingTests(ITestOutputHelper output)
{
    private static readonly Lazy<(IReadOnlyList<TrainingExample> Examples, TrainingSample[] Vectors)> Corpus = new(() =>
    {
        var examples = TrainingCorpus.LoadShipped(QualityData.PathOf("."), QualityData.PublicInjectionRoot);
        return (examples, InjectionModelTrainer.Featurize(examples));
    });

    [Fact]
    public void Corpus_HoldsSeveralAuthorsEveryFamilyAndNoSealedSet()
    {
        var (examples, _) = Corpus.Value;

        Assert.True(examples.Select(e => e.Source).Distinct().Count() >= 4, "sources");
        Assert.Subset(
            examples.Where(e => e.Kind == "attack").Select(e => e.Family).ToHashSet(StringComparer.Ordinal),
            new HashSet<string>(["delimiter", "extraction", "french", "german", "indirect", "override", "roleplay", "spanish"], StringComparer.Ordinal));
        Assert.DoesNotContain(examples, e => TrainingCorpus.SealedSets.Contains(e.Source));
    }

    [Fact]
    public void ShippedModel_IsWhatTheTrainingToolProducesFromTheCommittedData()
    {
        var (examples, vectors) = Corpus.Value;
        var retrained = new InjectionModelTrainer().Train(examples, vectors, threshold: Defaults.Threshold);
        var shipped = InjectionModel.Default;

        Assert.Equal(retrained.Bias, shipped.Bias, precision: 4);
        var worst = 0f;
        for (var i = 0; i < InjectionFeatures.Dimensions; i++)
        {
            // Both are rounded to half precision; a retrain on another CPU may differ in the last bit of a few weights.
            worst = Math.Max(worst, Math.Abs(retrained.Weights[i] - shipped.Weights[i]) / Math.Max(1f, Math.Abs(retrained.Weights[i])));
        }

        Assert.True(worst < 2e-3f, $"largest weight difference {worst}: retrain with `dotnet run --project tools/LlmOps.Guardrails.Training -c Release -- train`");
    }

    [Fact]
    public void LeaveOneSourceOut_MeetsTheIssueGates_OnEveryAuthorsTextTheModelNeverSaw()
    {
        var (examples, vectors) = Corpus.Value;
        var trainer = new InjectionModelTrainer();
        var scores = CrossValidation.OutOfSourceScores(trainer, examples, vectors);

        // Out-of-source scores are raw probabilities; the shipped model's boundary is Defaults.Threshold, and the guardrail
        // also blocks when the grammar alone is certain.
        bool Detected(int i) => CrossValidation.Detected(examples[i].Text, scores[i], vectors[i].RuleScore, Defaults.Threshold);
        var rows = new List<string>();
        var failures = new List<string>();
        void Gate(string check, string kind, Func<double, bool> met, string gate, Func<int, bool>? filter = null)
        {
            // The public sets are always trained on (they have their own test splits: PublicInjectionQualityTests).
            var items = Enumerable.Range(0, examples.Count).Where(i => examples[i].Kind == kind && !TrainingCorpus.IsPublic(examples[i].Source) && (filter?.Invoke(i) ?? true)).ToList();
            if (items.Count == 0)
            {
                return;
            }

            var hits = items.Count(Detected);
            var ok = met((double)hits / items.Count);
            rows.Add(QualityData.Row(check, "out-of-source", hits, items.Count, gate, ok));
            if (!ok && !gate.StartsWith('('))
            {
                failures.Add(check);
            }
        }

        Gate("Injection TPR (plain attacks)", "attack", r => r >= 0.85, ">= 85%");
        // Issue 17 (training on the public sets' train splits as well): no author-set figure may rise beyond its interval
        // before the change; the benign FPR was 49/5669 = 0.9% [0.7%, 1.14%], so the bound is the larger of 1% and 1.14%.
        Gate("Benign FPR", "benign", r => r <= 0.0114, "<= 1% or within the pre-issue-17 interval (<= 1.14%)");
        Gate("Hard-negative FPR", "hard", r => r <= 0.05, "<= 5%");
        var plain = (double)Enumerable.Range(0, examples.Count).Count(i => examples[i].Kind == "attack" && !TrainingCorpus.IsPublic(examples[i].Source) && Detected(i))
            / examples.Count(e => e.Kind == "attack" && !TrainingCorpus.IsPublic(e.Source));
        Gate("Obfuscated variants TPR", "obfuscated", r => r >= plain - 0.10, string.Create(CultureInfo.InvariantCulture, $">= plain - 10 pts ({(plain - 0.10) * 100:0.0}%)"));
        foreach (var source in examples.Select(e => e.Source).Where(s => !TrainingCorpus.IsPublic(s)).Distinct())
        {
            Gate($"  TPR, {source} left out", "attack", _ => true, "(info)", i => examples[i].Source == source);
            Gate($"  benign FPR, {source} left out", "benign", _ => true, "(info)", i => examples[i].Source == source);
            Gate($"  hard-negative FPR, {source} left out", "hard", _ => true, "(info)", i => examples[i].Source == source);
        }

        foreach (var family in examples.Where(e => e.Kind == "attack").Select(e => e.Family).Distinct().Order(StringComparer.Ordinal))
        {
            Gate($"  TPR, family {family}", "attack", _ => true, "(info)", i => examples[i].Family == family);
        }

        output.WriteLine(InjectionSetMeasurement.Header);
        rows.ForEach(output.WriteLine);
        Assert.True(failures.Count == 0, "Gates not met: " + string.Join(", ", failures) + "\n" + string.Join("\n", rows));
    }
}
