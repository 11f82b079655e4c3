using LlmOps.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmOps.Evaluation.Judges;

/// <summary>
/// Compares two responses to the same conversation with an LLM judge, asking twice with the order swapped; a response
/// wins only when both orders agree, so a judge that prefers a position gives a tie (position bias cancelled, Zheng et
/// al. 2023). Malformed answers are retried up to <see cref="JudgeOptions.MaxAttempts"/> times per order, then
/// <see cref="JudgeAnswerException"/> is thrown. Thread-safe when the judge client is.
/// </summary>
public sealed class PairwiseJudge
{
    private readonly IChatClient _judge;
    private readonly JudgeOptions _options;
    private readonly ILogger _logger;
    private readonly string? _criteria;

    /// <summary>Initializes a new instance of the <see cref="PairwiseJudge"/> class.</summary>
    /// <param name="judge">The judge model.</param>
    /// <param name="criteria">Optional criteria for "better".</param>
    /// <param name="options">The judge options (only <see cref="JudgeOptions.MaxAttempts"/> and <see cref="JudgeOptions.ChatOptions"/> apply).</param>
    /// <param name="logger">Logs malformed judge answers (EventIds 1800, 1801).</param>
    /// <exception cref="ArgumentNullException"><paramref name="judge"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid.</exception>
    public PairwiseJudge(IChatClient judge, string? criteria = null, JudgeOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(judge);
        _judge = judge;
        _criteria = criteria;
        _options = (options ?? new JudgeOptions()).Validated();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Compares <paramref name="responseA"/> with <paramref name="responseB"/> in both orders.</summary>
    /// <param name="messages">The conversation both responses answer.</param>
    /// <param name="responseA">The first response.</param>
    /// <param name="responseB">The second response.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The comparison.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="JudgeAnswerException">The judge gave no usable verdict within the allowed attempts.</exception>
    public async Task<PairwiseComparison> CompareAsync(IEnumerable<ChatMessage> messages, string responseA, string responseB, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(responseA);
        ArgumentNullException.ThrowIfNull(responseB);
        string conversation = JudgeCalls.ConversationText(messages);
        PairwiseWinner first = await AskAsync(conversation, responseA, responseB, 1, cancellationToken).ConfigureAwait(false);
        PairwiseWinner swapped = await AskAsync(conversation, responseB, responseA, 2, cancellationToken).ConfigureAwait(false);
        swapped = swapped switch
        {
            PairwiseWinner.A => PairwiseWinner.B,
            PairwiseWinner.B => PairwiseWinner.A,
            _ => PairwiseWinner.Tie,
        };
        PairwiseWinner winner = first == swapped ? first : PairwiseWinner.Tie;
        bool bias = first != PairwiseWinner.Tie && swapped != PairwiseWinner.Tie && first != swapped;
        return new PairwiseComparison(winner, first, swapped, bias);
    }

    private async Task<PairwiseWinner> AskAsync(string conversation, string shownFirst, string shownSecond, int run, CancellationToken cancellationToken)
    {
        string criteria = _criteria is null ? string.Empty : $"Criteria:\n{_criteria}\n\n";
        PromptTemplate template = await JudgePrompts.ResolveAsync(_options, JudgePrompts.Pairwise, cancellationToken).ConfigureAwait(false);
        ChatMessage[] prompt = JudgePrompts.Render(template, $"{criteria}Conversation:\n{conversation}\n\nResponse A:\n{shownFirst}\n\nResponse B:\n{shownSecond}");
        (bool ok, char verdict, string problem) = await JudgeCalls.AskAsync<char>(
            _judge,
            prompt,
            _options,
            run,
            static (string answer, out char v, out string p) => JudgeAnswerParser.TryParseWinner(answer, out v, out _, out p),
            _logger,
            cancellationToken).ConfigureAwait(false);
        if (!ok)
        {
            throw new JudgeAnswerException(
                $"The pairwise judge gave no usable verdict after {_options.MaxAttempts} attempts: {problem}. Use a judge model that follows the JSON format, or raise JudgeOptions.MaxAttempts.");
        }

        return verdict switch
        {
            'A' => PairwiseWinner.A,
            'B' => PairwiseWinner.B,
            _ => PairwiseWinner.Tie,
        };
    }
}
