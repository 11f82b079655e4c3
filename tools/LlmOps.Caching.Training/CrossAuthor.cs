using System.Globalization;

namespace LlmOps.Caching.Training;

/// <summary>
/// Cross-author validation of a trainer: for each author, train on the others (hard guards, model and operating point
/// chosen on them only), measure on the one left out; pooled over the held-out authors, with the served share per kind.
/// </summary>
internal static class CrossAuthor
{
    /// <summary>The candidates the issue 15 report compares, the shipped one last.</summary>
    public static IReadOnlyList<(string Name, Action<CachePairTrainer> Setup)> Candidates { get; } =
    [
        ("A. Logistic regression, every lexical guard hard, operating point in-sample with no false hit, threshold ≥ 0.70 (the earlier training recipe)", t =>
        {
            t.Kind = PairModelKind.Logistic;
            t.OutOfFold = false;
            t.TargetFalseHitRate = 0;
            t.LowestThreshold = 0.70f;
            t.TrainingMargin = 0.1f;
        }),
        ("B. Logistic regression, guards as features (hard only when they reject no training paraphrase), out-of-fold operating point", t =>
        {
            t.Kind = PairModelKind.Logistic;
            t.Guards = GuardMode.Auto;
        }),
        ("C. Boosted trees, every guard soft (the model weighs every verdict), out-of-fold operating point", t => t.Guards = GuardMode.Soft),
        ("D. Boosted trees, guards as features (hard only when they reject no training paraphrase), out-of-fold operating point", t => t.Guards = GuardMode.Auto),
        ("E. Boosted trees, every lexical guard hard, out-of-fold operating point (shipped)", _ => { }),
    ];

    /// <summary>The lowest similarity of the unrelated-question pairs (<see cref="PairScorer.CrossPairs"/>) counted.</summary>
    public const float UnrelatedFloor = CachePairModel.SameWordsFloor;

    /// <summary>Runs the validation and writes the Markdown table (and, when asked, the misses and the served share per kind).</summary>
    public static Figures Run(CachePairTrainer trainer, IReadOnlyList<ScoredPair> pairs, IReadOnlyList<ScoredPair> unrelated, bool verbose, bool kinds, TextWriter output)
    {
        var authors = pairs.Select(p => p.Pair.Author).Distinct().Order(StringComparer.Ordinal).ToList();
        output.WriteLine(Figures.Header);
        var pooled = new Figures(0, 0, 0, 0);
        var served = new List<(ScoredPair Pair, bool Served)>();
        int unrelatedServed = 0, unrelatedCount = 0;
        foreach (var held in authors)
        {
            var train = pairs.Where(p => p.Pair.Author != held).ToList();
            var test = pairs.Where(p => p.Pair.Author == held).ToList();
            var check = trainer.Train(train);
            var figures = Figures.Of(test, check.Served);
            pooled = pooled.Add(figures);
            output.WriteLine(figures.Row(string.Create(CultureInfo.InvariantCulture,
                $"{held} held out, trained on {string.Join("+", authors.Where(a => a != held))} (threshold {check.Threshold:0.00}, cutoff {check.Scorer.Cutoff:0.00}, hard guards {check.HardGuards})")));
            foreach (var p in unrelated.Where(p => p.Pair.Author == held))
            {
                unrelatedCount++;
                if (check.Served(p))
                {
                    unrelatedServed++;
                    if (verbose)
                    {
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"    UNRELATED HIT sim {p.Similarity:0.000} score {check.Scorer.Score(p.Features):0.00}: {p.Pair.First} | {p.Pair.Second}"));
                    }
                }
            }

            foreach (var p in test)
            {
                var s = check.Served(p);
                served.Add((p, s));
                if (verbose && s != p.Pair.Same)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"    {(p.Pair.Same ? "MISSED" : "FALSE HIT")} {p.Pair.Kind} sim {p.Similarity:0.000} score {check.Scorer.Score(p.Features):0.00}: {p.Pair.First} | {p.Pair.Second}"));
                }
            }
        }

        output.WriteLine(pooled.Row("**pooled, each author unseen**"));
        var (u, ul, uh) = Figures.Wilson(unrelatedServed, unrelatedCount);
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Questions of different pairs by the held-out author (similarity ≥ {UnrelatedFloor:0.0}, labelled different) served: {unrelatedServed}/{unrelatedCount} = {u * 100:0.00}% [{ul * 100:0.00}%, {uh * 100:0.00}%]."));
        if (kinds)
        {
            output.WriteLine();
            output.WriteLine("Served per kind (pooled over the held-out authors): " + string.Join("; ",
                served.GroupBy(r => (r.Pair.Pair.Same, r.Pair.Pair.Kind)).OrderBy(g => g.Key.Same).ThenBy(g => g.Key.Kind, StringComparer.Ordinal)
                    .Select(g => $"{(g.Key.Same ? "same" : "different")}/{g.Key.Kind} {g.Count(r => r.Served)}/{g.Count()}")) + ".");
        }

        return pooled;
    }
}
