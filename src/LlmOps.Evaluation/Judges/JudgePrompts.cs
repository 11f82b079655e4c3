using LlmOps.Prompts;
using Microsoft.Extensions.AI;

namespace LlmOps.Evaluation.Judges;

/// <summary>
/// The judges' own prompts as versioned prompts: <see cref="RubricJudgeEvaluator"/>, <see cref="CorrectnessJudgeEvaluator"/>
/// and <see cref="PairwiseJudge"/> read theirs from a <see cref="PromptRegistry"/> when
/// <see cref="JudgeOptions.Prompts"/> is set (by <see cref="JudgeOptions.PromptLabel"/>, or the latest version), and use
/// these built-in defaults otherwise. Register the defaults once with <see cref="RegisterDefaultsAsync"/>, then move a
/// label to a new version to change a judge the way any prompt is changed: reviewed, versioned and reversible. Each
/// judge prompt has one user message <c>{{material}}</c> (what is judged); the system message holds the instructions
/// and the JSON answer format that the judge's parser expects.
/// </summary>
public static class JudgePrompts
{
    /// <summary>The name of the rubric judge's prompt.</summary>
    public const string RubricName = "llmops-judge-rubric";

    /// <summary>The name of the correctness judge's prompt.</summary>
    public const string CorrectnessName = "llmops-judge-correctness";

    /// <summary>The name of the pairwise judge's prompt.</summary>
    public const string PairwiseName = "llmops-judge-pairwise";

    /// <summary>The variable that receives what is judged (conversation, response, references).</summary>
    public const string MaterialVariable = "material";

    private const string ScoreFormat =
        "Answer with one JSON object and nothing else: {\"score\": <integer 1-5>, \"reason\": \"<one sentence>\"}.";

    /// <summary>Gets the built-in rubric judge prompt (a draft; version 1 once registered).</summary>
    public static PromptTemplate Rubric { get; } = Draft(
        RubricName,
        "You are a strict evaluator. Score the response from 1 (worst) to 5 (best) using only the rubric.\n" + ScoreFormat);

    /// <summary>Gets the built-in correctness judge prompt (a draft; version 1 once registered).</summary>
    public static PromptTemplate Correctness { get; } = Draft(
        CorrectnessName,
        "You are a strict evaluator. Score from 1 (contradicts or misses the reference answer) to 5 (fully agrees with it, nothing wrong added) how correct the response is.\n" + ScoreFormat);

    /// <summary>Gets the built-in pairwise judge prompt (a draft; version 1 once registered).</summary>
    public static PromptTemplate Pairwise { get; } = Draft(
        PairwiseName,
        "You compare two responses to the same conversation. Decide which response is better for the user, judging content, not length or position. "
        + "Answer with one JSON object and nothing else: {\"winner\": \"A\" | \"B\" | \"tie\", \"reason\": \"<one sentence>\"}.");

    /// <summary>Registers the built-in judge prompts (idempotent: an unchanged prompt keeps its version).</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The registered versions: rubric, correctness, pairwise.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="registry"/> is <see langword="null"/>.</exception>
    public static async Task<IReadOnlyList<PromptTemplate>> RegisterDefaultsAsync(PromptRegistry registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return
        [
            await registry.RegisterAsync(Rubric, cancellationToken).ConfigureAwait(false),
            await registry.RegisterAsync(Correctness, cancellationToken).ConfigureAwait(false),
            await registry.RegisterAsync(Pairwise, cancellationToken).ConfigureAwait(false),
        ];
    }

    /// <summary>Resolves a judge's prompt: from the registry when the options name one, else the built-in draft.</summary>
    internal static async Task<PromptTemplate> ResolveAsync(JudgeOptions options, PromptTemplate builtIn, CancellationToken cancellationToken)
    {
        if (options.Prompts is not { } registry)
        {
            return builtIn;
        }

        try
        {
            return await registry.GetAsync(builtIn.Name, label: options.PromptLabel, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (PromptNotFoundException ex)
        {
            throw new PromptNotFoundException(
                $"JudgeOptions.Prompts is set, but the judge prompt '{builtIn.Name}'{(options.PromptLabel is null ? string.Empty : $" with label '{options.PromptLabel}'")} is not in it: {ex.Message} "
                + "Register the built-in judge prompts with JudgePrompts.RegisterDefaultsAsync(registry), or clear JudgeOptions.Prompts.",
                ex);
        }
    }

    /// <summary>Renders a judge prompt with what is judged.</summary>
    internal static ChatMessage[] Render(PromptTemplate template, string material) =>
        [.. template.Render(new Dictionary<string, object?>(StringComparer.Ordinal) { [MaterialVariable] = material })];

    private static PromptTemplate Draft(string name, string system) => new(
        name,
        [new PromptMessageTemplate(ChatRole.System, system), new PromptMessageTemplate(ChatRole.User, "{{" + MaterialVariable + "}}")],
        [new PromptVariable(MaterialVariable)]);
}
