namespace LlmOps.Evaluation.Metrics;

/// <summary>ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum of one prediction against one reference.</summary>
/// <param name="Rouge1">Unigram overlap.</param>
/// <param name="Rouge2">Bigram overlap.</param>
/// <param name="RougeL">Longest common subsequence over the whole text.</param>
/// <param name="RougeLsum">Summary-level LCS over newline-separated sentences.</param>
public sealed record RougeScores(RougeScore Rouge1, RougeScore Rouge2, RougeScore RougeL, RougeScore RougeLsum);
