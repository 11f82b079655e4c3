using LlmOps.Prompts;
using Microsoft.Extensions.AI;

namespace LlmOps.Evaluation.Judges;

/// <summary>
/// The judges' own prompts as versioned prompts: <see cref="RubricJudgeEvaluator"/>, <see cref="CorrectnessJudgeEvaluator"/>,
/// <see cref="PairwiseJudge"/> and the RAGAS metrics of <c>LlmOps.Evaluation.Rag</c> read theirs from a <see cref="PromptRegistry"/> when
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

    /// <summary>The name of faithfulness's first prompt: break the answer into claims.</summary>
    public const string FaithfulnessClaimsName = "llmops-judge-faithfulness-claims";

    /// <summary>The name of faithfulness's second prompt: verify each claim against the context.</summary>
    public const string FaithfulnessVerdictsName = "llmops-judge-faithfulness-verdicts";

    /// <summary>The name of answer relevancy's prompt: write the questions the answer answers.</summary>
    public const string AnswerRelevancyName = "llmops-judge-answer-relevancy";

    /// <summary>The name of context precision's prompt: mark each retrieved chunk useful or not.</summary>
    public const string ContextPrecisionName = "llmops-judge-context-precision";

    /// <summary>The name of context recall's prompt: attribute each reference sentence to the context or not.</summary>
    public const string ContextRecallName = "llmops-judge-context-recall";

    /// <summary>The variable that receives what is judged (conversation, response, references).</summary>
    public const string MaterialVariable = "material";

    /// <summary>The variable of <see cref="AnswerRelevancy"/> that receives how many questions to write.</summary>
    public const string QuestionCountVariable = "questions";

    private const string JsonOnly = "Answer with one JSON object and nothing else.";

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

    /// <summary>Gets the built-in prompt with which <see cref="Rag.FaithfulnessEvaluator"/> breaks an answer into claims.</summary>
    public static PromptTemplate FaithfulnessClaims { get; } = Draft(
        FaithfulnessClaimsName,
        "Break the answer into standalone factual claims, each understandable without the others (resolve pronouns). Return {\"claims\": [\"...\"]}. " + JsonOnly);

    /// <summary>Gets the built-in prompt with which <see cref="Rag.FaithfulnessEvaluator"/> checks each claim against the context.</summary>
    public static PromptTemplate FaithfulnessVerdicts { get; } = Draft(
        FaithfulnessVerdictsName,
        "For each numbered claim, decide whether it can be directly inferred from the context alone (1) or not (0). Return {\"verdicts\": [1, 0, ...]} with one verdict per claim, in order. " + JsonOnly);

    /// <summary>
    /// Gets the built-in prompt with which <see cref="Rag.AnswerRelevancyEvaluator"/> writes the questions an answer
    /// answers; <c>{{questions}}</c> (<see cref="QuestionCountVariable"/>) receives how many.
    /// </summary>
    public static PromptTemplate AnswerRelevancy { get; } = Draft(
        AnswerRelevancyName,
        "Write {{" + QuestionCountVariable + "}} different questions that the answer below answers, and say whether the answer is noncommittal (evasive, vague or 'I don't know'). Return {\"questions\": [\"...\"], \"noncommittal\": 0 or 1}. " + JsonOnly,
        new PromptVariable(QuestionCountVariable, Required: false, Default: "3"));

    /// <summary>Gets the built-in prompt with which <see cref="Rag.ContextPrecisionEvaluator"/> marks each chunk useful or not.</summary>
    public static PromptTemplate ContextPrecision { get; } = Draft(
        ContextPrecisionName,
        "For each numbered context chunk, decide whether it was useful in arriving at the reference answer to the question (1) or not (0). Return {\"verdicts\": [1, 0, ...]} with one verdict per chunk, in order. " + JsonOnly);

    /// <summary>Gets the built-in prompt with which <see cref="Rag.ContextRecallEvaluator"/> attributes each reference sentence.</summary>
    public static PromptTemplate ContextRecall { get; } = Draft(
        ContextRecallName,
        "For each numbered sentence of the reference answer, decide whether it can be attributed to the context (1) or not (0). Return {\"verdicts\": [1, 0, ...]} with one verdict per sentence, in order. " + JsonOnly);

    /// <summary>Registers the built-in judge prompts (idempotent: an unchanged prompt keeps its version).</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>
    /// The registered versions: rubric, correctness, pairwise, faithfulness claims, faithfulness verdicts, answer
    /// relevancy, context precision, context recall.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="registry"/> is <see langword="null"/>.</exception>
    public static async Task<IReadOnlyList<PromptTemplate>> RegisterDefaultsAsync(PromptRegistry registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var registered = new List<PromptTemplate>(8);
        foreach (PromptTemplate prompt in (PromptTemplate[])[Rubric, Correctness, Pairwise, FaithfulnessClaims, FaithfulnessVerdicts, AnswerRelevancy, ContextPrecision, ContextRecall])
        {
            registered.Add(await registry.RegisterAsync(prompt, cancellationToken).ConfigureAwait(false));
        }

        return registered;
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

    /// <summary>
    /// Renders a judge prompt with what is judged and one more value; a registered version that leaves that variable
    /// out still renders (the value is then ignored).
    /// </summary>
    internal static ChatMessage[] Render(PromptTemplate template, string material, string variable, object value) =>
        [.. template.Render(new Dictionary<string, object?>(StringComparer.Ordinal) { [MaterialVariable] = material, [variable] = value }, allowUnknownVariables: true)];

    /// <summary>How a metric's <c>judge-prompt</c> metadata names the prompt that scored it.</summary>
    internal static string Describe(PromptTemplate template) =>
        template.Version == 0 ? $"{template.Name} (built-in)" : template.ToString();

    private static PromptTemplate Draft(string name, string system, params PromptVariable[] more) => new(
        name,
        [new PromptMessageTemplate(ChatRole.System, system), new PromptMessageTemplate(ChatRole.User, "{{" + MaterialVariable + "}}")],
        [new PromptVariable(MaterialVariable), .. more]);
}
