using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace LlmOps.Metering;

/// <summary>
/// Counts tokens with the tiktoken encodings of <c>Microsoft.ML.Tokenizers</c>. Thread-safe; register one per
/// application (the tokenizers themselves are created once per process).
/// </summary>
/// <remarks>
/// <para>
/// <b>Model to encoding.</b> gpt-4o, gpt-4.1, gpt-4.5, gpt-5, chatgpt-4o and the o-series (o1, o3, o4…) use
/// <c>o200k_base</c>; gpt-4, gpt-3.5 and OpenAI embedding models use <c>cl100k_base</c>. Every other model
/// (including self-hosted Llama, Mistral, Qwen…) is counted with <c>o200k_base</c>, an estimate that is usually
/// within about 10% for English text.
/// </para>
/// <para>
/// <b>Chat convention.</b> A chat is counted the way OpenAI's cookbook does for its chat models: each message
/// costs <see cref="PerMessageOverhead"/> tokens plus its role and text, a message with an author name costs
/// <see cref="PerNameOverhead"/> more plus the name, and the chat as a whole adds <see cref="ReplyPrimingTokens"/>
/// for the priming of the assistant's reply. Only text content is counted; images, audio and tool calls are not.
/// </para>
/// <para>
/// <b>Cache.</b> Per-message counts are cached by content (role, name and text), so re-counting a long history
/// only counts the new messages. The cache holds at most <see cref="MaxCachedMessages"/> distinct texts per encoding.
/// </para>
/// </remarks>
public sealed class TokenCounter
{
    /// <summary>Tokens added for each message: 3.</summary>
    public const int PerMessageOverhead = 3;

    /// <summary>Tokens added for a message that has an author name: 1 (plus the name's own tokens).</summary>
    public const int PerNameOverhead = 1;

    /// <summary>Tokens added once per chat, for the priming of the assistant's reply: 3.</summary>
    public const int ReplyPrimingTokens = 3;

    /// <summary>The largest number of distinct message texts cached per encoding: 16,384.</summary>
    public const int MaxCachedMessages = 16_384;

    private static readonly Lazy<Tokenizer> O200k = new(static () => TiktokenTokenizer.CreateForEncoding("o200k_base"));
    private static readonly Lazy<Tokenizer> Cl100k = new(static () => TiktokenTokenizer.CreateForEncoding("cl100k_base"));

    private readonly EncodingCache[] _caches = [new(TokenEncoding.O200kBase), new(TokenEncoding.Cl100kBase)];

    /// <summary>Gets the encoding used for a model (see the remarks for the mapping).</summary>
    /// <param name="modelId">The model id, or <see langword="null"/>.</param>
    /// <returns>The encoding.</returns>
    public static TokenEncoding GetEncoding(string? modelId)
    {
        if (string.IsNullOrEmpty(modelId))
        {
            return TokenEncoding.O200kBase;
        }

        var id = modelId.AsSpan();
        var slash = id.LastIndexOf('/');
        if (slash >= 0)
        {
            id = id[(slash + 1)..];
        }

        if (Starts(id, "gpt-4o") || Starts(id, "gpt-4.1") || Starts(id, "gpt-4.5") || Starts(id, "gpt-5")
            || Starts(id, "chatgpt-4o") || (id.Length >= 2 && (id[0] is 'o' or 'O') && char.IsAsciiDigit(id[1])))
        {
            return TokenEncoding.O200kBase;
        }

        if (Starts(id, "gpt-4") || Starts(id, "gpt-3.5") || Starts(id, "gpt-35") || Starts(id, "text-embedding-"))
        {
            return TokenEncoding.Cl100kBase;
        }

        return TokenEncoding.O200kBase;

        static bool Starts(ReadOnlySpan<char> id, string prefix) => id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Gets the shared tokenizer of an encoding (created once per process, thread-safe).</summary>
    /// <param name="encoding">The encoding.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="encoding"/> is not defined.</exception>
    public static Tokenizer GetTokenizer(TokenEncoding encoding) => encoding switch
    {
        TokenEncoding.O200kBase => O200k.Value,
        TokenEncoding.Cl100kBase => Cl100k.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Use O200kBase or Cl100kBase."),
    };

    /// <summary>Counts the tokens of a text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="modelId">The model whose encoding to use; <see langword="null"/> uses the default.</param>
    /// <returns>The token count.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public int CountTokens(string text, string? modelId = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length == 0 ? 0 : GetTokenizer(GetEncoding(modelId)).CountTokens(text);
    }

    /// <summary>Counts the tokens of a text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="modelId">The model whose encoding to use; <see langword="null"/> uses the default.</param>
    /// <returns>The token count.</returns>
    public int CountTokens(ReadOnlySpan<char> text, string? modelId = null)
        => text.IsEmpty ? 0 : GetTokenizer(GetEncoding(modelId)).CountTokens(text);

    /// <summary>Counts one message, including its overhead (see the remarks), but not the reply priming.</summary>
    /// <param name="message">The message.</param>
    /// <param name="modelId">The model whose encoding to use.</param>
    /// <returns>The token count.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is <see langword="null"/>.</exception>
    public int CountTokens(ChatMessage message, string? modelId = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _caches[(int)GetEncoding(modelId)].Count(message);
    }

    /// <summary>Counts a chat: every message with its overhead, plus <see cref="ReplyPrimingTokens"/>.</summary>
    /// <param name="messages">The messages.</param>
    /// <param name="modelId">The model whose encoding to use.</param>
    /// <returns>The token count.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    public int CountTokens(IEnumerable<ChatMessage> messages, string? modelId = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var cache = _caches[(int)GetEncoding(modelId)];
        var total = ReplyPrimingTokens;
        if (messages is IList<ChatMessage> list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                total += cache.Count(list[i] ?? throw new ArgumentException("The message list contains null.", nameof(messages)));
            }
        }
        else
        {
            foreach (var message in messages)
            {
                total += cache.Count(message ?? throw new ArgumentException("The message list contains null.", nameof(messages)));
            }
        }

        return total;
    }

    private sealed class EncodingCache(TokenEncoding encoding)
    {
        private readonly ConditionalWeakTable<ChatMessage, Entry> _byMessage = new();
        private readonly ConcurrentDictionary<string, int> _byText = new(StringComparer.Ordinal);
        private readonly Tokenizer _tokenizer = GetTokenizer(encoding);

        public int Count(ChatMessage message)
        {
            var text = TextOf(message);
            var role = message.Role.Value;
            var name = message.AuthorName;

            // Fast path: the same message instance with the same content as last time (reference checks only).
            if (_byMessage.TryGetValue(message, out var entry)
                && ReferenceEquals(entry.Text, text) && ReferenceEquals(entry.Role, role) && ReferenceEquals(entry.Name, name))
            {
                return entry.Count;
            }

            var count = PerMessageOverhead + Text(role) + Text(text);
            if (!string.IsNullOrEmpty(name))
            {
                count += PerNameOverhead + Text(name);
            }

            _byMessage.AddOrUpdate(message, new Entry(text, role, name, count));
            return count;
        }

        private int Text(string text)
        {
            if (text.Length == 0)
            {
                return 0;
            }

            if (_byText.TryGetValue(text, out var count))
            {
                return count;
            }

            count = _tokenizer.CountTokens(text);
            if (_byText.Count < MaxCachedMessages)
            {
                _byText.TryAdd(text, count);
            }

            return count;
        }

        private static string TextOf(ChatMessage message)
        {
            var contents = message.Contents;
            if (contents.Count == 1)
            {
                return contents[0] is TextContent t ? t.Text ?? string.Empty : string.Empty;
            }

            return contents.Count == 0 ? string.Empty : message.Text;
        }

        private sealed record Entry(string Text, string Role, string? Name, int Count);
    }
}
