namespace LlmOps.Cli.Eval;

/// <summary>The scores of one input line: a <see cref="double"/> or a <c>RougeScore</c> per metric.</summary>
internal sealed record ScoreReportItem(int Line, IReadOnlyDictionary<ScoreMetric, object> Values);
