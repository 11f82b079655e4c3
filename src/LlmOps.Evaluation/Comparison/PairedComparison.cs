namespace LlmOps.Evaluation.Comparison;

/// <summary>
/// Statistics for comparing two prompt versions (or models) scored on the same items: a paired bootstrap confidence
/// interval of the mean difference, and McNemar's exact test for pass/fail outcomes. "B is better" is said only when
/// the difference is significant. Deterministic: the bootstrap uses a seeded generator.
/// </summary>
public static class PairedComparison
{
    /// <summary>Compares per-item scores of A and B with a paired bootstrap (percentile interval of mean(B − A)).</summary>
    /// <param name="a">Scores of version A, one per item.</param>
    /// <param name="b">Scores of version B on the same items, in the same order.</param>
    /// <param name="confidence">The interval's confidence level, in (0, 1). The default is 0.95.</param>
    /// <param name="resamples">How many bootstrap resamples. The default is 10,000.</param>
    /// <param name="seed">The resampling seed, for reproducible intervals. The default is 20.</param>
    /// <returns>The mean difference and its interval.</returns>
    /// <exception cref="ArgumentNullException">A list is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The lists are empty or of different lengths, or a score is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="confidence"/> or <paramref name="resamples"/> is out of range.</exception>
    public static BootstrapComparison Bootstrap(IReadOnlyList<double> a, IReadOnlyList<double> b, double confidence = 0.95, int resamples = 10_000, int seed = 20)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count || a.Count == 0)
        {
            throw new ArgumentException($"A paired comparison needs the same non-empty set of items on both sides; A has {a.Count} scores and B has {b.Count}. Score both versions on the same items.", nameof(b));
        }

        if (!(confidence > 0 && confidence < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "The confidence level must be in (0, 1), e.g. 0.95.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 100);
        int n = a.Count;
        double[] diff = new double[n];
        double mean = 0;
        for (int i = 0; i < n; i++)
        {
            if (!double.IsFinite(a[i]) || !double.IsFinite(b[i]))
            {
                throw new ArgumentException($"Item {i} has a score that is not a finite number (A {a[i]}, B {b[i]}); drop or fix items whose evaluation failed before comparing.", nameof(a));
            }

            diff[i] = b[i] - a[i];
            mean += diff[i];
        }

        mean /= n;
        var random = new Random(seed);
        double[] means = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                sum += diff[random.Next(n)];
            }

            means[r] = sum / n;
        }

        Array.Sort(means);
        double alpha = 1 - confidence;
        double lower = Percentile(means, alpha / 2);
        double upper = Percentile(means, 1 - (alpha / 2));
        return new BootstrapComparison(n, mean, lower, upper, confidence);
    }

    /// <summary>McNemar's exact (binomial) test on paired pass/fail outcomes.</summary>
    /// <param name="a">Pass/fail of version A, one per item.</param>
    /// <param name="b">Pass/fail of version B on the same items.</param>
    /// <returns>The discordant counts and the two-sided exact p-value.</returns>
    /// <exception cref="ArgumentNullException">A list is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The lists are empty or of different lengths.</exception>
    public static McNemarResult McNemar(IReadOnlyList<bool> a, IReadOnlyList<bool> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count || a.Count == 0)
        {
            throw new ArgumentException($"McNemar's test needs the same non-empty set of items on both sides; A has {a.Count} outcomes and B has {b.Count}.", nameof(b));
        }

        int onlyA = 0;
        int onlyB = 0;
        for (int i = 0; i < a.Count; i++)
        {
            if (a[i] && !b[i])
            {
                onlyA++;
            }
            else if (!a[i] && b[i])
            {
                onlyB++;
            }
        }

        int discordant = onlyA + onlyB;
        double p = 1.0;
        if (discordant > 0)
        {
            // Two-sided exact binomial test of min(onlyA, onlyB) under Binomial(discordant, 1/2).
            int k = Math.Min(onlyA, onlyB);
            double tail = 0;
            double logHalf = discordant * Math.Log(0.5);
            for (int i = 0; i <= k; i++)
            {
                tail += Math.Exp(LogChoose(discordant, i) + logHalf);
            }

            p = Math.Min(1.0, 2 * tail);
        }

        return new McNemarResult(onlyA, onlyB, p);
    }

    // Linear interpolation between order statistics (numpy's default "linear" method).
    private static double Percentile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }

    private static double LogChoose(int n, int k)
    {
        double result = 0;
        for (int i = 1; i <= k; i++)
        {
            result += Math.Log(n - k + i) - Math.Log(i);
        }

        return result;
    }
}
