namespace LlmOps.Maturity;

/// <summary>The four stages of LLMOps maturity, from a raw provider call to a measured, optimised pipeline.</summary>
public enum MaturityStage
{
    /// <summary>A raw provider client and prompts as strings in code.</summary>
    AdHoc = 0,

    /// <summary>A prompt registry with versions and labels, cost metering, telemetry and basic guardrails.</summary>
    Managed = 1,

    /// <summary>Evaluation gates in CI against a stored baseline, A/B experiments, caching, budgets and fallback routing.</summary>
    Automated = 2,

    /// <summary>Tier routing or cascades with measured savings, a calibrated semantic cache, hallucination tracking and multi-instance stores.</summary>
    Optimized = 3,
}
