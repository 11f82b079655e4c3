namespace LlmOps.Cli.Eval;

/// <summary>One scored line of the input: its 1-based line number, prediction and references.</summary>
internal sealed record ScoreLine(int Line, string Prediction, IReadOnlyList<string> References);
