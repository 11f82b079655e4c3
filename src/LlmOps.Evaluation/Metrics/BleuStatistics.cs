namespace LlmOps.Evaluation.Metrics;

/// <summary>Sufficient statistics of BLEU summed over segments (sacrebleu's segment statistics, plus what NLTK needs).</summary>
internal sealed class BleuStatistics
{
    public int HypothesisLength { get; private set; }

    public int ReferenceLength { get; private set; }

    public int[] Matches { get; } = new int[5];

    public int[] Totals { get; } = new int[5];

    /// <summary>NLTK's per-segment denominators, max(1, hypothesis n-grams), summed.</summary>
    public int[] NltkDenominators { get; } = new int[5];

    public int LastHypothesisLength { get; private set; }

    public int LastMatches5 { get; private set; }

    public int LastTotals5 { get; private set; }

    public void Add(int hypLength, int refLength, ReadOnlySpan<int> matches, ReadOnlySpan<int> totals)
    {
        HypothesisLength += hypLength;
        ReferenceLength += refLength;
        for (int i = 0; i < 5; i++)
        {
            Matches[i] += matches[i];
            Totals[i] += totals[i];
            NltkDenominators[i] += Math.Max(1, totals[i]);
        }

        LastHypothesisLength = hypLength;
        LastMatches5 = matches[4];
        LastTotals5 = totals[4];
    }
}
