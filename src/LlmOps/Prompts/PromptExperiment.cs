using System.Text;

namespace LlmOps.Prompts;

/// <summary>
/// An A/B(/n) experiment on one prompt: weighted variants (versions or labels) assigned stickily and
/// deterministically per subject, recorded outcomes, and results with 95% intervals and significance tests.
/// </summary>
/// <remarks>
/// <para>
/// <b>Assignment scheme (weighted rendezvous hashing).</b> For a subject, each variant <c>i</c> with weight
/// <c>wᵢ &gt; 0</c> draws <c>uᵢ = H(experiment, subject, variantᵢ)</c>, a uniform number in (0, 1) from a fixed
/// 64-bit hash (FNV-1a over UTF-8 with a SplitMix64 finaliser; no process-random seed), and scores
/// <c>−ln(uᵢ) / wᵢ</c>. The lowest score wins. The scores are exponential races, so variant <c>i</c> wins with
/// probability <c>wᵢ / Σw</c>. The assignment depends only on the names and weights, so the same subject gets the
/// same variant in every process, on every instance and after a restart. Changing one variant's weight changes only
/// that variant's scores: raising it moves subjects only <em>into</em> that variant, lowering it moves only its own
/// subjects out, and adding or removing a variant moves only the subjects that join or leave it. That is the
/// fewest moves any scheme can make (cumulative ranges, by contrast, shift every later bucket).
/// </para>
/// <para>
/// <b>Statistics.</b> Success rates get a Wald 95% interval and are compared with the control by a two-proportion
/// z-test (pooled); scores, cost and latency get a Student-t 95% interval and scores are compared by Welch's
/// t-test. Both tests assume independent subjects and outcomes (one outcome per subject is safest), enough data
/// for the normal approximation (at least about 10 successes and 10 failures per arm), and a sample size fixed
/// in advance. <b>Do not peek</b>: reading the results repeatedly and stopping at the first significant one
/// inflates the false-positive rate far above 5%. A winner is declared only when its test is significant at
/// alpha = 0.05; with several variants, consider a stricter alpha (Bonferroni).
/// </para>
/// <para>The type is thread-safe.</para>
/// </remarks>
public sealed class PromptExperiment
{
    /// <summary>The significance level used to declare a winner.</summary>
    public const double Alpha = 0.05;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, PromptVariant> _variants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Accumulators> _outcomes = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private volatile bool _stopped;

    /// <summary>Initializes a new instance of the <see cref="PromptExperiment"/> class.</summary>
    /// <param name="name">The experiment name; part of the assignment hash.</param>
    /// <param name="promptName">The prompt the experiment runs on.</param>
    /// <param name="control">The control variant.</param>
    /// <param name="variants">The other variants.</param>
    /// <exception cref="ArgumentException">A name is empty, a variant name repeats, a weight is negative, NaN or infinite, or a variant names neither a version nor a label.</exception>
    public PromptExperiment(string name, string promptName, PromptVariant control, params IEnumerable<PromptVariant> variants)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(promptName);
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(variants);
        Name = name;
        PromptName = promptName;
        Control = control.Name;
        foreach (var v in (IEnumerable<PromptVariant>)[control, .. variants])
        {
            Validate(v);
            if (!_variants.TryAdd(v.Name, v))
            {
                throw new ArgumentException($"Experiment '{name}' has two variants named '{v.Name}'.", nameof(variants));
            }

            _order.Add(v.Name);
            _outcomes[v.Name] = new Accumulators();
        }
    }

    /// <summary>Gets the experiment name.</summary>
    public string Name { get; }

    /// <summary>Gets the prompt name.</summary>
    public string PromptName { get; }

    /// <summary>Gets the control variant's name.</summary>
    public string Control { get; }

    /// <summary>Gets a value indicating whether the experiment is stopped (everyone gets the control).</summary>
    public bool IsStopped => _stopped;

    /// <summary>Gets the variants, control first, with their current weights.</summary>
    public IReadOnlyList<PromptVariant> Variants
    {
        get
        {
            lock (_gate)
            {
                var list = new PromptVariant[_order.Count];
                for (var i = 0; i < list.Length; i++) list[i] = _variants[_order[i]];
                return list;
            }
        }
    }

    /// <summary>Assigns a subject to a variant: deterministic and sticky (see the remarks for the scheme).</summary>
    /// <param name="subjectKey">A stable key of the subject: a user id or a session id.</param>
    /// <returns>The variant.</returns>
    /// <exception cref="ArgumentException"><paramref name="subjectKey"/> is null or empty.</exception>
    public PromptVariant Assign(string subjectKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(subjectKey);
        lock (_gate)
        {
            if (_stopped)
            {
                return _variants[Control];
            }

            PromptVariant? best = null;
            var bestScore = double.PositiveInfinity;
            foreach (var name in _order)
            {
                var v = _variants[name];
                if (v.Weight <= 0) continue;
                var u = UnitHash(Name, subjectKey, v.Name);
                var score = -Math.Log(u) / v.Weight;
                if (score < bestScore)
                {
                    bestScore = score;
                    best = v;
                }
            }

            return best ?? _variants[Control];
        }
    }

    /// <summary>Changes a variant's weight; only subjects moving into or out of that variant are reassigned.</summary>
    /// <param name="variantName">The variant.</param>
    /// <param name="weight">The new weight (zero or more).</param>
    /// <exception cref="ArgumentException">The variant does not exist or the weight is invalid.</exception>
    public void SetWeight(string variantName, double weight)
    {
        lock (_gate)
        {
            var v = GetVariant(variantName);
            var updated = v with { Weight = weight };
            Validate(updated);
            _variants[variantName] = updated;
        }
    }

    /// <summary>Rolls a variant back: its weight becomes zero, so its subjects return to the other variants.</summary>
    /// <param name="variantName">The variant; not the control.</param>
    /// <exception cref="ArgumentException">The variant does not exist.</exception>
    /// <exception cref="InvalidOperationException">The variant is the control.</exception>
    public void RollbackVariant(string variantName)
    {
        if (string.Equals(variantName, Control, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The control '{Control}' cannot be rolled back; stop the experiment instead.");
        }

        SetWeight(variantName, 0);
    }

    /// <summary>Stops the experiment: every subject gets the control from now on. Outcomes can still be recorded.</summary>
    public void Stop() => _stopped = true;

    /// <summary>Records an outcome for a variant.</summary>
    /// <param name="variantName">The variant the subject was served.</param>
    /// <param name="outcome">The outcome.</param>
    /// <exception cref="ArgumentException">The variant does not exist, or a value is NaN or infinite.</exception>
    public void RecordOutcome(string variantName, PromptOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Score is double s && !double.IsFinite(s))
        {
            throw new ArgumentException($"Outcome score must be finite, but was {s}.", nameof(outcome));
        }

        lock (_gate)
        {
            _ = GetVariant(variantName);
            var acc = _outcomes[variantName];
            acc.Count++;
            if (outcome.Success is bool ok)
            {
                acc.Trials++;
                if (ok) acc.Successes++;
            }

            if (outcome.Score is double score) acc.Score.Add(score);
            if (outcome.Cost is decimal cost) acc.Cost.Add((double)cost);
            if (outcome.Latency is TimeSpan latency) acc.Latency.Add(latency.TotalMilliseconds);
        }
    }

    /// <summary>Computes the results: per-variant counts, means, 95% intervals, tests against the control, and the winner.</summary>
    /// <returns>The results.</returns>
    public PromptExperimentResults GetResults()
    {
        lock (_gate)
        {
            var control = _outcomes[Control];
            var results = new List<PromptVariantResult>(_order.Count);
            string? winner = null;
            var bestRateZ = 0.0;
            var bestScoreT = 0.0;
            var allWorse = _order.Count > 1;
            string? scoreWinner = null;
            foreach (var name in _order)
            {
                var acc = _outcomes[name];
                var isControl = string.Equals(name, Control, StringComparison.Ordinal);
                SignificanceTest? rateTest = null, scoreTest = null;
                if (!isControl && acc.Trials > 0 && control.Trials > 0)
                {
                    var (z, p) = ExperimentStatistics.TwoProportionZ(control.Successes, control.Trials, acc.Successes, acc.Trials);
                    rateTest = new SignificanceTest("two-proportion z-test", z, null, p, p < Alpha);
                }

                if (!isControl && acc.Score.N > 1 && control.Score.N > 1)
                {
                    var (t, df, p) = ExperimentStatistics.Welch(control.Score.Mean, control.Score.Variance, control.Score.N, acc.Score.Mean, acc.Score.Variance, acc.Score.N);
                    scoreTest = new SignificanceTest("Welch t-test", t, df, p, p < Alpha);
                }

                if (!isControl)
                {
                    var primary = rateTest ?? scoreTest;
                    allWorse &= primary is { IsSignificant: true, Statistic: < 0 };
                    if (rateTest is { IsSignificant: true, Statistic: > 0 } && rateTest.Statistic > bestRateZ)
                    {
                        bestRateZ = rateTest.Statistic;
                        winner = name;
                    }

                    if (rateTest is null && scoreTest is { IsSignificant: true, Statistic: > 0 } && scoreTest.Statistic > bestScoreT)
                    {
                        bestScoreT = scoreTest.Statistic;
                        scoreWinner = name;
                    }
                }

                results.Add(new PromptVariantResult
                {
                    Name = name,
                    Count = acc.Count,
                    Trials = acc.Trials,
                    Successes = acc.Successes,
                    SuccessRate = acc.Trials > 0 ? (double)acc.Successes / acc.Trials : null,
                    SuccessRateInterval = acc.Trials > 0 ? WaldInterval(acc.Successes, acc.Trials) : null,
                    ScoreCount = acc.Score.N,
                    MeanScore = acc.Score.N > 0 ? acc.Score.Mean : null,
                    ScoreInterval = acc.Score.Interval(),
                    MeanCost = acc.Cost.N > 0 ? acc.Cost.Mean : null,
                    CostInterval = acc.Cost.Interval(),
                    MeanLatencyMilliseconds = acc.Latency.N > 0 ? acc.Latency.Mean : null,
                    LatencyInterval = acc.Latency.Interval(),
                    SuccessRateTest = rateTest,
                    ScoreTest = scoreTest,
                });
            }

            winner ??= scoreWinner;
            if (winner is null && allWorse)
            {
                winner = Control;
            }

            return new PromptExperimentResults(Name, Control, results, winner, _stopped);
        }
    }

    internal static double UnitHash(string experiment, string subject, string variant)
    {
        var h = 14695981039346656037UL;
        h = Fnv(h, experiment);
        h = (h ^ 0xFF) * 1099511628211UL;
        h = Fnv(h, subject);
        h = (h ^ 0xFF) * 1099511628211UL;
        h = Fnv(h, variant);

        // SplitMix64 finaliser: FNV alone mixes the last bytes poorly into the high bits.
        h ^= h >> 30;
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 27;
        h *= 0x94D049BB133111EBUL;
        h ^= h >> 31;
        return ((h >> 11) + 0.5) * (1.0 / (1UL << 53));
    }

    private static ulong Fnv(ulong h, string text)
    {
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetMaxByteCount(text.Length) <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(text, buffer)] : Encoding.UTF8.GetBytes(text);
        foreach (var b in bytes)
        {
            h = (h ^ b) * 1099511628211UL;
        }

        return h;
    }

    private static ConfidenceInterval WaldInterval(long successes, long trials)
    {
        var p = (double)successes / trials;
        var half = ExperimentStatistics.NormalQuantile(0.975) * Math.Sqrt(p * (1 - p) / trials);
        return new ConfidenceInterval(Math.Max(0, p - half), Math.Min(1, p + half));
    }

    private static void Validate(PromptVariant v)
    {
        ArgumentNullException.ThrowIfNull(v);
        ArgumentException.ThrowIfNullOrWhiteSpace(v.Name);
        if (!double.IsFinite(v.Weight) || v.Weight < 0)
        {
            throw new ArgumentException($"Variant '{v.Name}' has weight {v.Weight}; a weight must be a finite number of zero or more.", nameof(v));
        }

        if (v.Version is null && string.IsNullOrWhiteSpace(v.Label))
        {
            throw new ArgumentException($"Variant '{v.Name}' names neither a version nor a label; set one of them.", nameof(v));
        }
    }

    private PromptVariant GetVariant(string variantName)
    {
        ArgumentNullException.ThrowIfNull(variantName);
        return _variants.TryGetValue(variantName, out var v)
            ? v
            : throw new ArgumentException($"Experiment '{Name}' has no variant '{variantName}'. Variants: {string.Join(", ", _order)}.", nameof(variantName));
    }

    private sealed class Accumulators
    {
        public long Count;
        public long Trials;
        public long Successes;
        public readonly Welford Score = new();
        public readonly Welford Cost = new();
        public readonly Welford Latency = new();
    }

    /// <summary>Running mean and variance (Welford), stable for long experiments.</summary>
    private sealed class Welford
    {
        private double _m2;

        public long N { get; private set; }

        public double Mean { get; private set; }

        public double Variance => N > 1 ? _m2 / (N - 1) : 0;

        public void Add(double x)
        {
            N++;
            var delta = x - Mean;
            Mean += delta / N;
            _m2 += delta * (x - Mean);
        }

        public ConfidenceInterval? Interval()
        {
            if (N < 2) return null;
            var half = ExperimentStatistics.StudentTQuantile(0.975, N - 1) * Math.Sqrt(Variance / N);
            return new ConfidenceInterval(Mean - half, Mean + half);
        }
    }
}
