namespace LlmOps.Evaluation.Metrics;

/// <summary>The ROUGE variants of <see cref="RougeScorer"/> (the names <c>rouge-score</c> uses in brackets).</summary>
public enum RougeType
{
    /// <summary>Unigram overlap (<c>rouge1</c>).</summary>
    Rouge1,

    /// <summary>Bigram overlap (<c>rouge2</c>).</summary>
    Rouge2,

    /// <summary>Longest common subsequence over the whole text (<c>rougeL</c>).</summary>
    RougeL,

    /// <summary>Summary-level LCS: the union LCS of each reference sentence with every predicted sentence, sentences split on newlines (<c>rougeLsum</c>).</summary>
    RougeLsum,
}
