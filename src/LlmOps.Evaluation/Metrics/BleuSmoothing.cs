namespace LlmOps.Evaluation.Metrics;

/// <summary>How BLEU treats an n-gram order with no matches.</summary>
/// <remarks>
/// The first four are sacrebleu's <c>smooth_method</c> values (sacrebleu 2.x, <c>BLEU.compute_bleu</c>); the rest are
/// NLTK's <c>SmoothingFunction().method0</c> … <c>method7</c> (NLTK 3.8, <c>nltk/translate/bleu_score.py</c>), applied to
/// the same 13a-tokenized counts with NLTK's own formula (uniform weights, NLTK's brevity penalty), then scaled to 0–100.
/// </remarks>
public enum BleuSmoothing
{
    /// <summary>sacrebleu <c>exp</c> (the NIST geometric sequence; sacrebleu's default): the k-th zero order counts as 1 / (2^k · total).</summary>
    Exponential,

    /// <summary>sacrebleu <c>none</c>: no smoothing; a zero order makes the score 0.</summary>
    None,

    /// <summary>sacrebleu <c>floor</c>: a zero order counts as <see cref="BleuOptions.SmoothValue"/> matches (default 0.1).</summary>
    Floor,

    /// <summary>sacrebleu <c>add-k</c>: adds <see cref="BleuOptions.SmoothValue"/> (default 1) to the matches and totals of orders 2 and up.</summary>
    AddK,

    /// <summary>NLTK <c>method0</c>: no smoothing (a zero order contributes <c>sys.float_info.min</c>).</summary>
    NltkMethod0,

    /// <summary>NLTK <c>method1</c>: a zero order counts as ε matches (<see cref="BleuOptions.NltkEpsilon"/>, default 0.1).</summary>
    NltkMethod1,

    /// <summary>NLTK <c>method2</c>: adds 1 to the matches and totals of orders 2 and up (Lin and Och 2004).</summary>
    NltkMethod2,

    /// <summary>NLTK <c>method3</c>: the NIST geometric sequence (like <see cref="Exponential"/>).</summary>
    NltkMethod3,

    /// <summary>NLTK <c>method4</c>: zero orders get 1 / (2^k · K / ln(length)) matches (<see cref="BleuOptions.NltkK"/>, default 5).</summary>
    NltkMethod4,

    /// <summary>NLTK <c>method5</c>: each order averaged with its neighbours (uses 5-gram counts).</summary>
    NltkMethod5,

    /// <summary>NLTK <c>method6</c>: interpolation with a prior from the lower orders (<see cref="BleuOptions.NltkAlpha"/>, default 5); needs trigram matches.</summary>
    NltkMethod6,

    /// <summary>NLTK <c>method7</c>: <see cref="NltkMethod4"/> then <see cref="NltkMethod5"/>.</summary>
    NltkMethod7,
}
