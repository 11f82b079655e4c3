namespace LlmOps.Cli.Eval;

/// <summary>The metrics <c>llmops eval score</c> computes; the names are the JSON keys.</summary>
internal enum ScoreMetric
{
    Bleu,
    ChrF,
    ChrFPlusPlus,
    Rouge1,
    Rouge2,
    RougeL,
    RougeLsum,
    ExactMatch,
    TokenF1,
}
