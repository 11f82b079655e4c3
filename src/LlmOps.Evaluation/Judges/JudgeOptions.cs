using LlmOps.Prompts;
using Microsoft.Extensions.AI;

namespace LlmOps.Evaluation.Judges;

/// <summary>How an LLM judge is run: how many times, how many attempts per run, and the pass threshold.</summary>
public sealed class JudgeOptions
{
    /// <summary>Gets or sets how many independent judge runs score each item (k); the result carries their mean, standard deviation, pass@k and pass^k.</summary>
    /// <value>The default value is 1.</value>
    public int Runs { get; set; } = 1;

    /// <summary>Gets or sets how many calls one run may make when the judge's answer is malformed (no score, a score out of range, prose) before the item is reported as an evaluation error.</summary>
    /// <value>The default value is 3.</value>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Gets or sets the score (1–5) a run must reach to pass.</summary>
    /// <value>The default value is 4.</value>
    public double PassThreshold { get; set; } = 4;

    /// <summary>Gets or sets the chat options for judge calls (model, temperature…); they are cloned, never mutated.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public ChatOptions? ChatOptions { get; set; }

    /// <summary>
    /// Gets or sets the registry the judges read their own prompts from (<see cref="JudgePrompts"/>); <see langword="null"/>
    /// uses the built-in prompts. Register the defaults with <see cref="JudgePrompts.RegisterDefaultsAsync"/> first.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public PromptRegistry? Prompts { get; set; }

    /// <summary>Gets or sets the label of the judge prompts to use from <see cref="Prompts"/>; <see langword="null"/> uses the latest version.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? PromptLabel { get; set; }

    /// <summary>Returns one message per invalid value; empty when the options are valid.</summary>
    /// <returns>The problems found, each naming the option, the value and the allowed range.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Runs is < 1 or > 100)
        {
            errors.Add($"JudgeOptions.Runs must be in [1, 100]; was {Runs}.");
        }

        if (MaxAttempts is < 1 or > 10)
        {
            errors.Add($"JudgeOptions.MaxAttempts must be in [1, 10]; was {MaxAttempts}.");
        }

        if (!double.IsFinite(PassThreshold) || PassThreshold < 1 || PassThreshold > 5)
        {
            errors.Add($"JudgeOptions.PassThreshold must be in [1, 5]; was {PassThreshold}.");
        }

        return errors;
    }

    internal JudgeOptions Validated()
    {
        IReadOnlyList<string> errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), "options");
        }

        return this;
    }
}
