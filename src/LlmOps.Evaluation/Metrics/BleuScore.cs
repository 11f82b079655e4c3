namespace LlmOps.Evaluation.Metrics;

/// <summary>A BLEU score with the statistics behind it, on sacrebleu's 0–100 scale.</summary>
public sealed class BleuScore
{
    internal BleuScore(double score, double[] precisions, double brevityPenalty, int hypothesisLength, int referenceLength, int[] matches, int[] totals)
    {
        Score = score;
        Precisions = precisions;
        BrevityPenalty = brevityPenalty;
        HypothesisLength = hypothesisLength;
        ReferenceLength = referenceLength;
        Matches = matches;
        Totals = totals;
    }

    /// <summary>Gets the score, 0–100 (sacrebleu's <c>BLEUScore.score</c>).</summary>
    public double Score { get; }

    /// <summary>Gets the 1- to 4-gram precisions, 0–100, after smoothing (sacrebleu's <c>precisions</c>).</summary>
    public IReadOnlyList<double> Precisions { get; }

    /// <summary>Gets the brevity penalty, 0–1.</summary>
    public double BrevityPenalty { get; }

    /// <summary>Gets the number of hypothesis tokens (<c>sys_len</c>).</summary>
    public int HypothesisLength { get; }

    /// <summary>Gets the effective reference length: per segment, the reference length closest to the hypothesis, shorter on ties (<c>ref_len</c>).</summary>
    public int ReferenceLength { get; }

    /// <summary>Gets the clipped n-gram matches for orders 1–4 (<c>counts</c>).</summary>
    public IReadOnlyList<int> Matches { get; }

    /// <summary>Gets the hypothesis n-gram counts for orders 1–4 (<c>totals</c>).</summary>
    public IReadOnlyList<int> Totals { get; }
}
