namespace LlmOps.Cli;

/// <summary>The exit codes of <c>llmops</c> (documented in the README and in <c>llmops --help</c>).</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>An unexpected failure (a bug): the message and stack trace are on standard error.</summary>
    public const int InternalError = 1;

    /// <summary>The command line is wrong: an unknown command, option or metric, or a missing argument.</summary>
    public const int UsageError = 2;

    /// <summary>The input could not be used: a missing or malformed file, an unknown prompt, version or label.</summary>
    public const int InputError = 3;

    /// <summary>A check failed: an evaluation gate, a significant regression, or text the guardrails block.</summary>
    public const int CheckFailed = 4;

    /// <summary>The run was cancelled (Ctrl+C).</summary>
    public const int Cancelled = 130;

    public const string Description =
        "Exit codes: 0 success; 1 unexpected failure; 2 wrong command line (unknown command, option or metric); 3 unusable input (missing or malformed file, unknown prompt, version or label); 4 a check failed (evaluation gate, regression, blocked text); 130 cancelled.";
}
