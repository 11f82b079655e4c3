using System.Globalization;
using LlmOps.Evaluation.Judges;
using LlmOps.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LlmOps.Evaluation.Rag;

/// <summary>What the RAGAS-style evaluators share: asking the judge for JSON with a judge prompt, numbering, sentences.</summary>
internal static class RagMetricSupport
{
    /// <summary>
    /// Asks the judge with a judge prompt (from the registry when <see cref="JudgeOptions.Prompts"/> is set, else the
    /// built-in one); returns the parsed answer and the prompt version that was used.
    /// </summary>
    public static async Task<(bool Ok, T Value, string Problem, PromptTemplate Prompt)> AskAsync<T>(
        IChatClient judge,
        PromptTemplate builtIn,
        string material,
        JudgeOptions options,
        JudgeCalls.Parser<T> parse,
        ILogger logger,
        CancellationToken cancellationToken,
        (string Name, object Value)? variable = null)
    {
        PromptTemplate template = await JudgePrompts.ResolveAsync(options, builtIn, cancellationToken).ConfigureAwait(false);
        ChatMessage[] prompt = variable is { } v ? JudgePrompts.Render(template, material, v.Name, v.Value) : JudgePrompts.Render(template, material);
        (bool ok, T value, string problem) = await JudgeCalls.AskAsync(judge, prompt, options, 1, parse, logger, cancellationToken).ConfigureAwait(false);
        return (ok, value, problem, template);
    }

    public static string GaveUp(string step, JudgeOptions options, string problem) =>
        $"The judge gave no usable answer for {step} after {options.MaxAttempts} attempts: {problem}. Use a judge model that follows the JSON format, or raise JudgeOptions.MaxAttempts.";

    public static string Numbered(IReadOnlyList<string> items)
    {
        var lines = new List<string>(items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{i + 1}. {items[i]}"));
        }

        return string.Join("\n", lines);
    }

    public static string Question(IEnumerable<ChatMessage> messages) =>
        messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;

    /// <summary>Splits text into sentences at '.', '!' or '?' followed by whitespace, and at line breaks.</summary>
    public static List<string> Sentences(string text)
    {
        var sentences = new List<string>();
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            bool end = text[i] == '\n' || (text[i] is '.' or '!' or '?' && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1])));
            if (end)
            {
                Add(text[start..(i + 1)]);
                start = i + 1;
            }
        }

        Add(text[start..]);
        return sentences;

        void Add(string s)
        {
            s = s.Trim();
            if (s.Any(char.IsLetterOrDigit))
            {
                sentences.Add(s);
            }
        }
    }
}
