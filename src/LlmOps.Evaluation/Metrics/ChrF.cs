using System.Buffers;

namespace LlmOps.Evaluation.Metrics;

/// <summary>
/// chrF (Popović 2015) and chrF++ (Popović 2017) equal to sacrebleu 2.x (<c>sacrebleu.metrics.chrf.CHRF</c>, checked
/// against sacrebleu 2.x's published test values): character n-grams up to order 6 over the text with whitespace
/// removed, optional word n-grams (order 2 for chrF++) over words with one leading or trailing punctuation mark split off,
/// β = 2, precision and recall averaged over the effective orders; with several references the one with the best score
/// is used. Scores are on sacrebleu's 0–100 scale. The methods are thread-safe.
/// </summary>
public static class ChrF
{
    private const double Eps = 1e-16;

    [ThreadStatic]
    private static Scratch? t_scratch;

    private static ChrFOptions Default { get; } = new();

    /// <summary>Scores one hypothesis against its references (sacrebleu's <c>sentence_chrf</c>).</summary>
    /// <param name="hypothesis">The system output.</param>
    /// <param name="references">One or more references.</param>
    /// <param name="options">The options; <see langword="null"/> for chrF with sacrebleu's defaults.</param>
    /// <returns>The score, 0–100.</returns>
    /// <exception cref="ArgumentNullException">An argument or a reference is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="references"/> is empty, or <paramref name="options"/> is invalid.</exception>
    public static double SentenceScore(string hypothesis, IReadOnlyList<string> references, ChrFOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(hypothesis);
        ReferenceArguments.Validate(references, nameof(references), "chrF");
        options = Validated(options);
        double[] stats = new double[3 * (options.CharOrder + options.WordOrder)];
        AddSegment(stats, hypothesis, references, options);
        return FScore(stats, options);
    }

    /// <summary>Scores a corpus: the best reference's statistics are summed over segments, then combined once (sacrebleu's <c>corpus_chrf</c>).</summary>
    /// <param name="hypotheses">The system outputs, one per segment.</param>
    /// <param name="references">Per segment, its references (one or more).</param>
    /// <param name="options">The options; <see langword="null"/> for chrF with sacrebleu's defaults.</param>
    /// <returns>The score, 0–100.</returns>
    /// <exception cref="ArgumentNullException">An argument, hypothesis or reference is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The counts differ, a segment has no reference, or <paramref name="options"/> is invalid.</exception>
    public static double CorpusScore(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references, ChrFOptions? options = null)
    {
        ReferenceArguments.ValidateCorpus(hypotheses, references);

        options = Validated(options);
        double[] stats = new double[3 * (options.CharOrder + options.WordOrder)];
        for (int i = 0; i < hypotheses.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(hypotheses[i], $"{nameof(hypotheses)}[{i}]");
            ReferenceArguments.Validate(references[i], $"{nameof(references)}[{i}]", "chrF");
            AddSegment(stats, hypotheses[i], references[i], options);
        }

        return FScore(stats, options);
    }

    private static ChrFOptions Validated(ChrFOptions? options)
    {
        options ??= Default;
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        return options;
    }

    // sacrebleu CHRF._compute_f_score.
    private static double FScore(ReadOnlySpan<double> statistics, ChrFOptions options)
    {
        int order = options.CharOrder + options.WordOrder;
        double factor = options.Beta * options.Beta;
        double score = 0;
        double avgPrec = 0;
        double avgRec = 0;
        int effectiveOrder = 0;
        for (int i = 0; i < order; i++)
        {
            double nHyp = statistics[3 * i];
            double nRef = statistics[(3 * i) + 1];
            double nMatch = statistics[(3 * i) + 2];
            double prec = nHyp > 0 ? nMatch / nHyp : Eps;
            double rec = nRef > 0 ? nMatch / nRef : Eps;
            double denom = (factor * prec) + rec;
            score += denom > 0 ? (1 + factor) * prec * rec / denom : Eps;
            if (nHyp > 0 && nRef > 0)
            {
                avgPrec += prec;
                avgRec += rec;
                effectiveOrder++;
            }
        }

        if (options.EpsSmoothing)
        {
            return 100 * score / order;
        }

        if (effectiveOrder == 0)
        {
            return 0.0;
        }

        avgPrec /= effectiveOrder;
        avgRec /= effectiveOrder;
        if (avgPrec + avgRec == 0)
        {
            return 0.0;
        }

        return 100 * (1 + factor) * avgPrec * avgRec / ((factor * avgPrec) + avgRec);
    }

    private static void AddSegment(double[] total, string hypothesis, IReadOnlyList<string> references, ChrFOptions options)
    {
        Scratch s = t_scratch ??= new Scratch();
        int order = options.CharOrder + options.WordOrder;
        Span<double> best = stackalloc double[3 * order];
        Span<double> current = stackalloc double[3 * order];
        double bestScore = -1;
        string hyp = options.Lowercase ? hypothesis.ToLowerInvariant() : hypothesis;
        s.HypChars.Clear();
        PythonText.AppendCodePoints(hyp, skipWhiteSpace: !options.Whitespace, s.HypChars);
        for (int r = 0; r < references.Count; r++)
        {
            string reference = options.Lowercase ? references[r].ToLowerInvariant() : references[r];
            s.RefChars.Clear();
            PythonText.AppendCodePoints(reference, skipWhiteSpace: !options.Whitespace, s.RefChars);
            current.Clear();
            CountOrders(s, s.HypChars.Span, s.RefChars.Span, options.CharOrder, current);
            if (options.WordOrder > 0)
            {
                s.Vocabulary.Clear();
                s.HypWords.Clear();
                s.RefWords.Clear();
                AppendWords(hyp, s.Vocabulary, s.HypWords);
                AppendWords(reference, s.Vocabulary, s.RefWords);
                CountOrders(s, s.HypWords.Span, s.RefWords.Span, options.WordOrder, current[(3 * options.CharOrder)..]);
            }

            double f = FScore(current, options);
            if (f > bestScore)
            {
                bestScore = f;
                current.CopyTo(best);
            }
        }

        for (int i = 0; i < best.Length; i++)
        {
            total[i] += best[i];
        }
    }

    // sacrebleu CHRF._get_match_statistics for orders 1..maxOrder, into [hyp, ref, match] triples.
    private static void CountOrders(Scratch s, ReadOnlySpan<int> hyp, ReadOnlySpan<int> reference, int maxOrder, Span<double> stats)
    {
        Span<int> hypIds = s.HypIds.ResetZeroed(hyp.Length);
        Span<int> refIds = s.RefIds.ResetZeroed(reference.Length);
        NGramInterner interner = s.Interner;
        for (int n = 1; n <= maxOrder; n++)
        {
            interner.NextOrder();
            int hypGrams = interner.Advance(hypIds, hyp, n);
            int refGrams = interner.Advance(refIds, reference, n);
            int distinct = interner.Count;
            Span<int> counts = s.Counts.ResetZeroed(distinct);
            for (int i = 0; i < refGrams; i++)
            {
                counts[refIds[i]]++;
            }

            // Each hypothesis occurrence whose n-gram still has unmatched reference occurrences is a match: Σ min(h, r).
            int match = 0;
            for (int i = 0; i < hypGrams; i++)
            {
                ref int c = ref counts[hypIds[i]];
                if (c > 0)
                {
                    c--;
                    match++;
                }
            }

            int o = 3 * (n - 1);
            stats[o] = refGrams > 0 ? hypGrams : 0; // no hits are counted when the reference has no n-gram of this order
            stats[o + 1] = refGrams;
            stats[o + 2] = match;
        }
    }

    private static readonly SearchValues<char> Punctuation = SearchValues.Create("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");

    // sacrebleu CHRF._remove_punctuation: split on whitespace, then split one punctuation mark off the end, or else off the start.
    private static void AppendWords(string text, TokenVocabulary vocabulary, IntBuffer words)
    {
        ReadOnlySpan<char> span = text;
        int i = 0;
        while (i < span.Length)
        {
            while (i < span.Length && PythonText.IsWhiteSpace(span[i]))
            {
                i++;
            }

            int start = i;
            while (i < span.Length && !PythonText.IsWhiteSpace(span[i]))
            {
                i++;
            }

            if (i == start)
            {
                break;
            }

            ReadOnlySpan<char> w = span[start..i];
            if (CodePointLength(w) == 1)
            {
                words.Add(vocabulary.GetId(w));
            }
            else if (Punctuation.Contains(w[^1]))
            {
                words.Add(vocabulary.GetId(w[..^1]));
                words.Add(vocabulary.GetId(w[^1..]));
            }
            else if (Punctuation.Contains(w[0]))
            {
                words.Add(vocabulary.GetId(w[..1]));
                words.Add(vocabulary.GetId(w[1..]));
            }
            else
            {
                words.Add(vocabulary.GetId(w));
            }
        }
    }

    private static int CodePointLength(ReadOnlySpan<char> w) =>
        w.Length == 2 && char.IsSurrogatePair(w[0], w[1]) ? 1 : w.Length;

    private sealed class Scratch
    {
        public readonly NGramInterner Interner = new();
        public readonly TokenVocabulary Vocabulary = new();
        public readonly IntBuffer HypChars = new();
        public readonly IntBuffer RefChars = new();
        public readonly IntBuffer HypWords = new();
        public readonly IntBuffer RefWords = new();
        public readonly IntBuffer HypIds = new();
        public readonly IntBuffer RefIds = new();
        public readonly IntBuffer Counts = new();
    }
}
