namespace LlmOps.Evaluation.Metrics;

/// <summary>
/// BLEU (Papineni et al. 2002) equal to sacrebleu 2.x (<c>sacrebleu.metrics.bleu.BLEU</c>, checked against sacrebleu
/// 2.4's published test values): the <see cref="Tokenizer13a">13a</see> tokenizer, clipped n-gram precisions up to order 4
/// with the counts of several references combined by maximum, the closest reference length (shorter on ties) for the
/// brevity penalty, and sacrebleu's smoothing methods; NLTK 3.8's smoothing methods 0–7 as an option.
/// </summary>
/// <remarks>
/// <see cref="SentenceScore"/> matches <c>sacrebleu.sentence_bleu</c> (exp smoothing, effective order on) and
/// <see cref="CorpusScore"/> matches <c>sacrebleu.corpus_bleu</c> (exp smoothing, effective order off), both on the
/// 0–100 scale. The methods are thread-safe.
/// </remarks>
public static class Bleu
{
    private const int MaxOrder = 4;
    private const double PythonFloatMin = 2.2250738585072014E-308; // sys.float_info.min

    [ThreadStatic]
    private static Scratch? t_scratch;

    /// <summary>Scores one hypothesis against its references (sacrebleu's <c>sentence_bleu</c>).</summary>
    /// <param name="hypothesis">The system output.</param>
    /// <param name="references">One or more references.</param>
    /// <param name="options">The options; <see langword="null"/> for sacrebleu's defaults.</param>
    /// <returns>The score and its statistics.</returns>
    /// <exception cref="ArgumentNullException">An argument or a reference is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="references"/> is empty, or <paramref name="options"/> is invalid.</exception>
    /// <exception cref="InvalidOperationException">NLTK method 6 was asked for and the hypothesis has no trigram match (NLTK asserts the same).</exception>
    public static BleuScore SentenceScore(string hypothesis, IReadOnlyList<string> references, BleuOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(hypothesis);
        ReferenceArguments.Validate(references, nameof(references), "BLEU");
        options ??= Default;
        options.ThrowIfInvalid();
        var stats = new BleuStatistics();
        Accumulate(stats, hypothesis, references, options);
        return Compute(stats, options, options.EffectiveOrder ?? true);
    }

    /// <summary>Scores a corpus: statistics are summed over segments, then combined once (sacrebleu's <c>corpus_bleu</c>).</summary>
    /// <param name="hypotheses">The system outputs, one per segment.</param>
    /// <param name="references">Per segment, its references (one or more).</param>
    /// <param name="options">The options; <see langword="null"/> for sacrebleu's defaults.</param>
    /// <returns>The score and its statistics.</returns>
    /// <exception cref="ArgumentNullException">An argument, hypothesis or reference is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The counts differ, a segment has no reference, or <paramref name="options"/> is invalid.</exception>
    /// <exception cref="InvalidOperationException">NLTK method 6 was asked for and there is no trigram match (NLTK asserts the same).</exception>
    public static BleuScore CorpusScore(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references, BleuOptions? options = null)
    {
        ReferenceArguments.ValidateCorpus(hypotheses, references);

        options ??= Default;
        options.ThrowIfInvalid();
        var stats = new BleuStatistics();
        for (int i = 0; i < hypotheses.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(hypotheses[i], $"{nameof(hypotheses)}[{i}]");
            ReferenceArguments.Validate(references[i], $"{nameof(references)}[{i}]", "BLEU");
            Accumulate(stats, hypotheses[i], references[i], options);
        }

        return Compute(stats, options, options.EffectiveOrder ?? false);
    }

    private static BleuOptions Default { get; } = new();

    private static bool NeedsFifthOrder(BleuSmoothing smoothing) =>
        smoothing is BleuSmoothing.NltkMethod5 or BleuSmoothing.NltkMethod7;

    private static void Accumulate(BleuStatistics stats, string hypothesis, IReadOnlyList<string> references, BleuOptions options)
    {
        Scratch s = t_scratch ??= new Scratch();
        s.Vocabulary.Clear();
        s.Hyp.Clear();
        Tokenizer13a.TokenizeToIds(hypothesis, options.Lowercase, s.Vocabulary, s.Hyp);
        int refCount = references.Count;
        s.EnsureReferences(refCount);
        for (int r = 0; r < refCount; r++)
        {
            s.Refs[r].Clear();
            Tokenizer13a.TokenizeToIds(references[r], options.Lowercase, s.Vocabulary, s.Refs[r]);
        }

        int hypLen = s.Hyp.Count;
        int closest = -1;
        int closestDiff = -1;
        for (int r = 0; r < refCount; r++)
        {
            int len = s.Refs[r].Count;
            int diff = Math.Abs(hypLen - len);
            if (closestDiff == -1 || diff < closestDiff || (diff == closestDiff && len < closest))
            {
                closestDiff = diff;
                closest = len;
            }
        }

        int orders = NeedsFifthOrder(options.Smoothing) ? 5 : MaxOrder;
        Span<int> hypIds = s.HypIds.ResetZeroed(hypLen);
        for (int r = 0; r < refCount; r++)
        {
            s.RefIds[r].ResetZeroed(s.Refs[r].Count);
        }

        Span<int> matches = stackalloc int[5];
        Span<int> totals = stackalloc int[5];
        NGramInterner interner = s.Interner;
        for (int n = 1; n <= orders; n++)
        {
            interner.NextOrder();
            int hypGrams = interner.Advance(hypIds, s.Hyp.Span, n);
            for (int r = 0; r < refCount; r++)
            {
                s.RefGrams[r] = interner.Advance(s.RefIds[r].Span, s.Refs[r].Span, n);
            }

            int distinct = interner.Count;
            Span<int> hypCounts = s.HypCounts.ResetZeroed(distinct);
            Span<int> refMax = s.RefMax.ResetZeroed(distinct);
            for (int i = 0; i < hypGrams; i++)
            {
                hypCounts[hypIds[i]]++;
            }

            for (int r = 0; r < refCount; r++)
            {
                Span<int> refCounts = s.RefCounts.ResetZeroed(distinct);
                Span<int> ids = s.RefIds[r].Span;
                for (int i = 0; i < s.RefGrams[r]; i++)
                {
                    refCounts[ids[i]]++;
                }

                for (int i = 0; i < distinct; i++)
                {
                    refMax[i] = Math.Max(refMax[i], refCounts[i]);
                }
            }

            int match = 0;
            for (int i = 0; i < distinct; i++)
            {
                match += Math.Min(hypCounts[i], refMax[i]);
            }

            matches[n - 1] = match;
            totals[n - 1] = hypGrams;
        }

        stats.Add(hypLen, closest, matches, totals);
    }

    private static BleuScore Compute(BleuStatistics stats, BleuOptions options, bool effectiveOrder)
    {
        int sysLen = stats.HypothesisLength;
        int refLen = stats.ReferenceLength;
        int[] counts = stats.Matches[..MaxOrder];
        int[] totals = stats.Totals[..MaxOrder];
        return options.Smoothing >= BleuSmoothing.NltkMethod0
            ? ComputeNltk(stats, options, counts, totals)
            : ComputeSacreBleu(options, effectiveOrder, sysLen, refLen, counts, totals);
    }

    // sacrebleu 2.x BLEU.compute_bleu.
    private static BleuScore ComputeSacreBleu(BleuOptions options, bool effectiveOrder, int sysLen, int refLen, int[] counts, int[] totals)
    {
        double bp = sysLen < refLen ? (sysLen > 0 ? Math.Exp(1 - ((double)refLen / sysLen)) : 0.0) : 1.0;
        double[] precisions = new double[MaxOrder];
        bool anyMatch = false;
        foreach (int c in counts)
        {
            anyMatch |= c != 0;
        }

        if (!anyMatch)
        {
            return new BleuScore(0.0, precisions, bp, sysLen, refLen, counts, totals);
        }

        double smoothValue = options.SmoothValue ?? (options.Smoothing == BleuSmoothing.Floor ? 0.1 : 1.0);
        double smoothMteval = 1.0;
        int effOrder = MaxOrder;
        for (int n = 1; n <= MaxOrder; n++)
        {
            double correct = counts[n - 1];
            double total = totals[n - 1];
            if (options.Smoothing == BleuSmoothing.AddK && n > 1)
            {
                correct += smoothValue;
                total += smoothValue;
            }

            if (total == 0)
            {
                break;
            }

            if (effectiveOrder)
            {
                effOrder = n;
            }

            if (correct == 0)
            {
                if (options.Smoothing == BleuSmoothing.Exponential)
                {
                    smoothMteval *= 2;
                    precisions[n - 1] = 100.0 / (smoothMteval * total);
                }
                else if (options.Smoothing == BleuSmoothing.Floor)
                {
                    precisions[n - 1] = 100.0 * smoothValue / total;
                }
            }
            else
            {
                precisions[n - 1] = 100.0 * correct / total;
            }
        }

        double logSum = 0;
        for (int i = 0; i < effOrder; i++)
        {
            // sacrebleu's my_log: log(0) is taken as -9999999999.
            logSum += precisions[i] == 0.0 ? -9999999999.0 : Math.Log(precisions[i]);
        }

        double score = bp * Math.Exp(logSum / effOrder);
        return new BleuScore(score, precisions, bp, sysLen, refLen, counts, totals);
    }

    // NLTK 3.8 corpus_bleu / sentence_bleu with SmoothingFunction().methodN, uniform weights (0.25 each), times 100.
    private static BleuScore ComputeNltk(BleuStatistics stats, BleuOptions options, int[] counts, int[] totals)
    {
        int hypLen = stats.HypothesisLength;
        int refLen = stats.ReferenceLength;
        double bp = hypLen > refLen ? 1.0 : hypLen == 0 ? 0.0 : Math.Exp(1 - ((double)refLen / hypLen));
        double[] reported = new double[MaxOrder];
        for (int i = 0; i < MaxOrder; i++)
        {
            reported[i] = totals[i] == 0 ? 0 : 100.0 * counts[i] / totals[i];
        }

        if (counts[0] == 0)
        {
            return new BleuScore(0.0, reported, bp, hypLen, refLen, counts, totals);
        }

        // NLTK's fractions keep their raw numerator and denominator; the denominator of each segment is at least 1.
        int[] num = counts;
        int[] den = stats.NltkDenominators[..MaxOrder];
        double[] p = new double[MaxOrder];
        for (int i = 0; i < MaxOrder; i++)
        {
            p[i] = (double)num[i] / den[i];
        }

        switch (options.Smoothing)
        {
            case BleuSmoothing.NltkMethod0:
                for (int i = 0; i < MaxOrder; i++)
                {
                    if (num[i] == 0)
                    {
                        p[i] = PythonFloatMin;
                    }
                }

                break;
            case BleuSmoothing.NltkMethod1:
                for (int i = 0; i < MaxOrder; i++)
                {
                    if (num[i] == 0)
                    {
                        p[i] = options.NltkEpsilon / den[i];
                    }
                }

                break;
            case BleuSmoothing.NltkMethod2:
                for (int i = 1; i < MaxOrder; i++)
                {
                    p[i] = (num[i] + 1.0) / (den[i] + 1.0);
                }

                break;
            case BleuSmoothing.NltkMethod3:
                {
                    int k = 1;
                    for (int i = 0; i < MaxOrder; i++)
                    {
                        if (num[i] == 0)
                        {
                            p[i] = 1.0 / (Math.Pow(2, k) * den[i]);
                            k++;
                        }
                    }

                    break;
                }

            case BleuSmoothing.NltkMethod4:
                NltkMethod4(p, num, den, hypLen != 0 ? hypLen : stats.LastHypothesisLength, options.NltkK);
                break;
            case BleuSmoothing.NltkMethod5:
                NltkMethod5(p, stats);
                break;
            case BleuSmoothing.NltkMethod6:
                {
                    if (num[2] == 0)
                    {
                        throw new InvalidOperationException(
                            "BLEU smoothing NltkMethod6 needs at least one trigram match (NLTK asserts the same). Choose another smoothing method for this text.");
                    }

                    for (int i = 2; i < MaxOrder; i++)
                    {
                        double pi0 = p[i - 2] == 0 ? 0 : p[i - 1] * p[i - 1] / p[i - 2];
                        int l = Math.Max(0, stats.LastHypothesisLength - i);
                        p[i] = (num[i] + (options.NltkAlpha * pi0)) / (l + options.NltkAlpha);
                    }

                    break;
                }

            case BleuSmoothing.NltkMethod7:
                NltkMethod4(p, num, den, hypLen != 0 ? hypLen : stats.LastHypothesisLength, options.NltkK);
                NltkMethod5(p, stats);
                break;
        }

        double sum = 0;
        for (int i = 0; i < MaxOrder; i++)
        {
            if (p[i] > 0)
            {
                sum += 0.25 * Math.Log(p[i]);
            }
        }

        return new BleuScore(100.0 * bp * Math.Exp(sum), reported, bp, hypLen, refLen, counts, totals);
    }

    private static void NltkMethod4(double[] p, int[] num, int[] den, int hypLen, double k)
    {
        int inc = 1;
        for (int i = 0; i < MaxOrder; i++)
        {
            if (num[i] == 0 && hypLen > 1)
            {
                double numerator = 1.0 / (Math.Pow(2, inc) * k / Math.Log(hypLen));
                p[i] = numerator / den[i];
                inc++;
            }
        }
    }

    private static void NltkMethod5(double[] p, BleuStatistics stats)
    {
        // NLTK reads the 5-gram precision of the last segment (the loop variable left over from corpus_bleu).
        double[] next = new double[MaxOrder + 1];
        Array.Copy(p, next, MaxOrder);
        next[MaxOrder] = (double)stats.LastMatches5 / Math.Max(1, stats.LastTotals5);
        double previous = p[0] + 1;
        for (int i = 0; i < MaxOrder; i++)
        {
            p[i] = (previous + next[i] + next[i + 1]) / 3;
            previous = p[i];
        }
    }

    private sealed class Scratch
    {
        public readonly TokenVocabulary Vocabulary = new();
        public readonly NGramInterner Interner = new();
        public readonly IntBuffer Hyp = new();
        public readonly IntBuffer HypIds = new();
        public readonly IntBuffer HypCounts = new();
        public readonly IntBuffer RefMax = new();
        public readonly IntBuffer RefCounts = new();
        public IntBuffer[] Refs = [];
        public IntBuffer[] RefIds = [];
        public int[] RefGrams = [];

        public void EnsureReferences(int count)
        {
            if (Refs.Length >= count)
            {
                return;
            }

            int old = Refs.Length;
            Array.Resize(ref Refs, count);
            Array.Resize(ref RefIds, count);
            Array.Resize(ref RefGrams, count);
            for (int i = old; i < count; i++)
            {
                Refs[i] = new IntBuffer();
                RefIds[i] = new IntBuffer();
            }
        }
    }
}
