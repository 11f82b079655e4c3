namespace LlmOps.Evaluation.Runs;

/// <summary>Progress of an evaluation run.</summary>
/// <param name="Completed">Items finished, including resumed ones.</param>
/// <param name="Total">Items in the dataset.</param>
/// <param name="Resumed">Items taken from the checkpoint without calling the target.</param>
/// <param name="Failed">Items whose target call or evaluation reported an error.</param>
public readonly record struct EvaluationProgress(int Completed, int Total, int Resumed, int Failed);
