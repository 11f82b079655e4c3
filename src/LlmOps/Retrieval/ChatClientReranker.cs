using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmOps.Retrieval;

/// <summary>
/// An <see cref="IReranker"/> that asks a chat model to order numbered passages by relevance (listwise reranking).
/// Passages the model does not mention keep their first-stage order after the ones it ranks. When the answer holds
/// no usable number, the first-stage order is kept and the fact is logged (EventId 1601).
/// </summary>
public sealed partial class ChatClientReranker : IReranker
{
    /// <summary>The longest passage text sent to the model, in characters: 1,200.</summary>
    public const int MaxPassageCharacters = 1200;

    private readonly IChatClient _client;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="ChatClientReranker"/> class.</summary>
    /// <param name="chatClient">The model that ranks.</param>
    /// <param name="logger">Logs unreadable answers; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="chatClient"/> is <see langword="null"/>.</exception>
    public ChatClientReranker(IChatClient chatClient, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        _client = chatClient;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> or <paramref name="candidates"/> is <see langword="null"/>.</exception>
    public async Task<IReadOnlyList<RetrievedChunk>> RerankAsync(string query, IReadOnlyList<RetrievedChunk> candidates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count < 2)
        {
            return candidates;
        }

        var prompt = new StringBuilder();
        prompt.Append("Rank the passages by how well they answer the query. Reply with the passage numbers only, most relevant first, separated by commas.\n\n");
        prompt.Append("Query: ").Append(query).Append("\n\n");
        for (int i = 0; i < candidates.Count; i++)
        {
            string text = candidates[i].Chunk.IndexText;
            if (text.Length > MaxPassageCharacters)
            {
                text = text[..MaxPassageCharacters];
            }

            prompt.Append('[').Append(i + 1).Append("] ").Append(text.ReplaceLineEndings(" ")).Append('\n');
        }

        ChatResponse response = await _client.GetResponseAsync(
            [new ChatMessage(ChatRole.User, prompt.ToString())], new ChatOptions { Temperature = 0 }, cancellationToken).ConfigureAwait(false);
        string answer = response.Text ?? string.Empty;
        var order = new List<int>(candidates.Count);
        var used = new bool[candidates.Count];
        foreach (Match m in Number().Matches(answer))
        {
            if (int.TryParse(m.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && n <= candidates.Count && !used[n - 1])
            {
                used[n - 1] = true;
                order.Add(n - 1);
            }
        }

        if (order.Count == 0)
        {
            RetrievalLog.RerankerAnswerUnreadable(_logger, answer.Length > 80 ? answer[..80] : answer);
            return candidates;
        }

        for (int i = 0; i < candidates.Count; i++)
        {
            if (!used[i])
            {
                order.Add(i);
            }
        }

        var results = new RetrievedChunk[candidates.Count];
        for (int rank = 0; rank < order.Count; rank++)
        {
            results[rank] = candidates[order[rank]] with { Score = 1f / (rank + 1) };
        }

        return results;
    }

    [GeneratedRegex(@"\d{1,4}", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex Number();
}
