namespace LlmOps.Evaluation.Metrics;

/// <summary>
/// ROUGE (Lin 2004) equal to Google's <c>rouge-score</c> 0.1.2 (<c>rouge_score.rouge_scorer.RougeScorer</c>, the
/// package behind Hugging Face <c>evaluate</c>'s ROUGE): its <see cref="RougeTokenizer">tokenizer</see>, optional Porter
/// stemming as it applies it (NLTK's stemmer, tokens longer than three letters), ROUGE-N with clipped n-gram counts,
/// ROUGE-L from the LCS length and ROUGE-Lsum with the union LCS and the ROUGE-1.5.5 guard against counting a token twice.
/// </summary>
/// <remarks>
/// Scores are 0–1. Unlike <c>rouge-score</c>'s <c>score(target, prediction)</c>, the prediction comes first here, as in
/// <see cref="Bleu"/> and <see cref="ChrF"/>. Sentences for ROUGE-Lsum are split on <c>'\n'</c>
/// (<c>split_summaries=False</c>, the default). Instances are immutable and thread-safe.
/// </remarks>
public sealed class RougeScorer
{
    [ThreadStatic]
    private static Scratch? t_scratch;

    /// <summary>Initializes a new instance of the <see cref="RougeScorer"/> class.</summary>
    /// <param name="useStemmer">Whether to stem tokens longer than three letters (<c>use_stemmer</c>).</param>
    public RougeScorer(bool useStemmer = false) => UseStemmer = useStemmer;

    /// <summary>Gets whether tokens are stemmed.</summary>
    public bool UseStemmer { get; }

    /// <summary>Scores <paramref name="prediction"/> against <paramref name="reference"/> with one ROUGE variant.</summary>
    /// <param name="prediction">The text being judged.</param>
    /// <param name="reference">The reference (<c>rouge-score</c>'s target).</param>
    /// <param name="type">The variant.</param>
    /// <returns>Precision, recall and F1.</returns>
    /// <exception cref="ArgumentNullException">A text is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not defined.</exception>
    public RougeScore Score(string prediction, string reference, RougeType type)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(reference);
        return type switch
        {
            RougeType.Rouge1 => ScoreN(prediction, reference, 1),
            RougeType.Rouge2 => ScoreN(prediction, reference, 2),
            RougeType.RougeL => ScoreL(prediction, reference),
            RougeType.RougeLsum => ScoreLsum(prediction, reference),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "RougeType must be Rouge1, Rouge2, RougeL or RougeLsum."),
        };
    }

    /// <summary>Scores all four variants, tokenizing each text once for ROUGE-1, ROUGE-2 and ROUGE-L.</summary>
    /// <param name="prediction">The text being judged.</param>
    /// <param name="reference">The reference.</param>
    /// <returns>The four scores.</returns>
    /// <exception cref="ArgumentNullException">A text is <see langword="null"/>.</exception>
    public RougeScores ScoreAll(string prediction, string reference)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(reference);
        Scratch s = Prepare(prediction, reference);
        return new RougeScores(
            NGramScore(s, 1),
            NGramScore(s, 2),
            LcsScore(s.Reference.Span, s.Prediction.Span, s),
            ScoreLsum(prediction, reference));
    }

    /// <summary>Scores ROUGE-N (<c>rouge1</c> … <c>rouge9</c>).</summary>
    /// <param name="prediction">The text being judged.</param>
    /// <param name="reference">The reference.</param>
    /// <param name="n">The n-gram order, 1–9.</param>
    /// <returns>Precision, recall and F1.</returns>
    /// <exception cref="ArgumentNullException">A text is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is outside 1–9.</exception>
    public RougeScore ScoreN(string prediction, string reference, int n)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(reference);
        if (n is < 1 or > 9)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "ROUGE-N is defined for n in 1..9 (rouge1 … rouge9), as in rouge-score.");
        }

        return NGramScore(Prepare(prediction, reference), n);
    }

    private RougeScore ScoreL(string prediction, string reference)
    {
        Scratch s = Prepare(prediction, reference);
        return LcsScore(s.Reference.Span, s.Prediction.Span, s);
    }

    private Scratch Prepare(string prediction, string reference)
    {
        Scratch s = t_scratch ??= new Scratch();
        s.Vocabulary.Clear();
        s.Prediction.Clear();
        s.Reference.Clear();
        AddTokens(prediction, s, s.Prediction);
        AddTokens(reference, s, s.Reference);
        return s;
    }

    private void AddTokens(ReadOnlySpan<char> text, Scratch s, IntBuffer target)
    {
        s.Tokens.Clear();
        RougeTokenizer.Tokenize(text, UseStemmer, s.Tokens);
        foreach (string token in s.Tokens)
        {
            target.Add(s.Vocabulary.GetId(token));
        }
    }

    // rouge_scorer._score_ngrams.
    private static RougeScore NGramScore(Scratch s, int n)
    {
        ReadOnlySpan<int> pred = s.Prediction.Span;
        ReadOnlySpan<int> refs = s.Reference.Span;
        Span<int> predIds = s.PredictionIds.ResetZeroed(pred.Length);
        Span<int> refIds = s.ReferenceIds.ResetZeroed(refs.Length);
        int predGrams = 0;
        int refGrams = 0;
        for (int order = 1; order <= n; order++)
        {
            s.Interner.NextOrder();
            predGrams = s.Interner.Advance(predIds, pred, order);
            refGrams = s.Interner.Advance(refIds, refs, order);
        }

        Span<int> counts = s.Counts.ResetZeroed(s.Interner.Count);
        for (int i = 0; i < refGrams; i++)
        {
            counts[refIds[i]]++;
        }

        int overlap = 0;
        for (int i = 0; i < predGrams; i++)
        {
            ref int c = ref counts[predIds[i]];
            if (c > 0)
            {
                c--;
                overlap++;
            }
        }

        return RougeScore.From((double)overlap / Math.Max(predGrams, 1), (double)overlap / Math.Max(refGrams, 1));
    }

    // rouge_scorer._score_lcs.
    private static RougeScore LcsScore(ReadOnlySpan<int> reference, ReadOnlySpan<int> prediction, Scratch s)
    {
        if (reference.IsEmpty || prediction.IsEmpty)
        {
            return default;
        }

        Span<int> row = s.Row.ResetZeroed(prediction.Length + 1);
        for (int i = 0; i < reference.Length; i++)
        {
            int diagonal = 0;
            int token = reference[i];
            for (int j = 1; j <= prediction.Length; j++)
            {
                int above = row[j];
                row[j] = prediction[j - 1] == token ? diagonal + 1 : Math.Max(above, row[j - 1]);
                diagonal = above;
            }
        }

        int lcs = row[prediction.Length];
        return RougeScore.From((double)lcs / prediction.Length, (double)lcs / reference.Length);
    }

    // rouge_scorer._summary_level_lcs with sentences split on '\n'.
    private RougeScore ScoreLsum(string prediction, string reference)
    {
        Scratch s = t_scratch ??= new Scratch();
        s.Vocabulary.Clear();
        List<int[]> refSentences = Sentences(reference, s);
        List<int[]> predSentences = Sentences(prediction, s);
        if (refSentences.Count == 0 || predSentences.Count == 0)
        {
            return default;
        }

        int m = 0;
        int n = 0;
        Span<int> refCounts = s.Counts.ResetZeroed(s.Vocabulary.Count);
        Span<int> predCounts = s.Counts2.ResetZeroed(s.Vocabulary.Count);
        foreach (int[] sentence in refSentences)
        {
            m += sentence.Length;
            foreach (int t in sentence)
            {
                refCounts[t]++;
            }
        }

        foreach (int[] sentence in predSentences)
        {
            n += sentence.Length;
            foreach (int t in sentence)
            {
                predCounts[t]++;
            }
        }

        if (m == 0 || n == 0)
        {
            return default;
        }

        int hits = 0;
        var union = new SortedSet<int>();
        foreach (int[] r in refSentences)
        {
            union.Clear();
            foreach (int[] c in predSentences)
            {
                AddLcsIndices(r, c, union);
            }

            foreach (int index in union)
            {
                int t = r[index];
                if (predCounts[t] > 0 && refCounts[t] > 0)
                {
                    hits++;
                    predCounts[t]--;
                    refCounts[t]--;
                }
            }
        }

        return RougeScore.From((double)hits / n, (double)hits / m);
    }

    private List<int[]> Sentences(string text, Scratch s)
    {
        var sentences = new List<int[]>();
        foreach (Range range in text.AsSpan().Split('\n'))
        {
            ReadOnlySpan<char> line = text.AsSpan()[range];
            if (line.IsEmpty)
            {
                continue;
            }

            s.Tokens.Clear();
            RougeTokenizer.Tokenize(line, UseStemmer, s.Tokens);
            int[] ids = new int[s.Tokens.Count];
            for (int i = 0; i < ids.Length; i++)
            {
                ids[i] = s.Vocabulary.GetId(s.Tokens[i]);
            }

            sentences.Add(ids);
        }

        return sentences;
    }

    // rouge_scorer.lcs_ind: the LCS table of (reference, candidate), backtracked from the end preferring to move left
    // only when the left cell is strictly larger (_backtrack_norec), so ties resolve as rouge-score resolves them.
    private static void AddLcsIndices(int[] reference, int[] candidate, SortedSet<int> union)
    {
        int rows = reference.Length;
        int cols = candidate.Length;
        int[,] t = new int[rows + 1, cols + 1];
        for (int i = 1; i <= rows; i++)
        {
            for (int j = 1; j <= cols; j++)
            {
                t[i, j] = reference[i - 1] == candidate[j - 1] ? t[i - 1, j - 1] + 1 : Math.Max(t[i - 1, j], t[i, j - 1]);
            }
        }

        int a = rows;
        int b = cols;
        while (a > 0 && b > 0)
        {
            if (reference[a - 1] == candidate[b - 1])
            {
                union.Add(a - 1);
                a--;
                b--;
            }
            else if (t[a, b - 1] > t[a - 1, b])
            {
                b--;
            }
            else
            {
                a--;
            }
        }
    }

    private sealed class Scratch
    {
        public readonly TokenVocabulary Vocabulary = new();
        public readonly NGramInterner Interner = new();
        public readonly List<string> Tokens = [];
        public readonly IntBuffer Prediction = new();
        public readonly IntBuffer Reference = new();
        public readonly IntBuffer PredictionIds = new();
        public readonly IntBuffer ReferenceIds = new();
        public readonly IntBuffer Counts = new();
        public readonly IntBuffer Counts2 = new();
        public readonly IntBuffer Row = new();
    }
}
