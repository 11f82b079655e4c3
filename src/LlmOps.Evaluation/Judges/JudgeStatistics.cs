namespace LlmOps.Evaluation.Judges;

/// <summary>The stability of k judge runs of one item: mean, standard deviation, pass@k and pass^k.</summary>
/// <param name="Scores">The score of each run.</param>
/// <param name="Mean">The mean score.</param>
/// <param name="StandardDeviation">The sample standard deviation (0 for one run).</param>
/// <param name="Passes">How many runs reached the threshold.</param>
/// <param name="PassAtK">The chance that at least one of k runs passes: 1 − C(n−c, k)/C(n, k) (Chen et al. 2021's unbiased estimator, n runs, c passes).</param>
/// <param name="PassHatK">The chance that all k runs pass: C(c, k)/C(n, k) (pass^k, Yao et al. 2024).</param>
/// <param name="K">The k used for pass@k and pass^k.</param>
public sealed record JudgeStatistics(IReadOnlyList<double> Scores, double Mean, double StandardDeviation, int Passes, double PassAtK, double PassHatK, int K)
{
    /// <summary>Computes the statistics of <paramref name="scores"/> against <paramref name="threshold"/>.</summary>
    /// <param name="scores">One score per run (at least one).</param>
    /// <param name="threshold">The score a run must reach to pass.</param>
    /// <param name="k">The k for pass@k and pass^k; <see langword="null"/> for the number of runs.</param>
    /// <returns>The statistics.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="scores"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="scores"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is outside 1 to the number of runs.</exception>
    public static JudgeStatistics Compute(IReadOnlyList<double> scores, double threshold, int? k = null)
    {
        ArgumentNullException.ThrowIfNull(scores);
        int n = scores.Count;
        if (n == 0)
        {
            throw new ArgumentException("At least one run's score is needed.", nameof(scores));
        }

        int kk = k ?? n;
        if (kk < 1 || kk > n)
        {
            throw new ArgumentOutOfRangeException(nameof(k), kk, $"k must be in [1, {n}] (the number of runs).");
        }

        double mean = scores.Average();
        double sd = 0;
        if (n > 1)
        {
            double ss = 0;
            foreach (double s in scores)
            {
                ss += (s - mean) * (s - mean);
            }

            sd = Math.Sqrt(ss / (n - 1));
        }

        int c = scores.Count(s => s >= threshold);
        double passAtK = 1 - (Choose(n - c, kk) / Choose(n, kk));
        double passHatK = Choose(c, kk) / Choose(n, kk);
        return new JudgeStatistics([.. scores], mean, sd, c, passAtK, passHatK, kk);
    }

    private static double Choose(int n, int k)
    {
        if (k < 0 || k > n)
        {
            return 0;
        }

        double result = 1;
        for (int i = 1; i <= k; i++)
        {
            result = result * (n - k + i) / i;
        }

        return result;
    }
}
