using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace LlmOps.Testing;

/// <summary>Counts tokens with the o200k_base encoding (GPT-4o family); the tokenizer is built once, on first use.</summary>
internal static class ScriptedTokenCounter
{
    // Loading the encoding costs tens of milliseconds; a scripted client that is given its usage never pays it.
    private static readonly Lazy<Tokenizer> s_tokenizer = new(
        static () => TiktokenTokenizer.CreateForEncoding("o200k_base"), LazyThreadSafetyMode.ExecutionAndPublication);

    public static int Count(string? text) => string.IsNullOrEmpty(text) ? 0 : s_tokenizer.Value.CountTokens(text);

    public static int Count(IReadOnlyList<ChatMessage> messages)
    {
        var total = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            total += Count(messages[i].Text);
        }

        return total;
    }
}
