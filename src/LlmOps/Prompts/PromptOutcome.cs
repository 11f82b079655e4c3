namespace LlmOps.Prompts;

/// <summary>What happened after one request in an experiment. Leave a field <see langword="null"/> when not measured.</summary>
/// <param name="Success">Whether the request succeeded (a conversion, a thumbs-up, a passing check).</param>
/// <param name="Score">A numeric quality score.</param>
/// <param name="Cost">The cost, in the ledger's currency.</param>
/// <param name="Latency">The latency.</param>
public sealed record PromptOutcome(bool? Success = null, double? Score = null, decimal? Cost = null, TimeSpan? Latency = null);
