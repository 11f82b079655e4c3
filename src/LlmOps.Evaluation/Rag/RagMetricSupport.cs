using System.Globalization;
using LlmOps.Evaluation.Judges;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using Microsoft.Extensions.Logging;

namespace LlmOps.Evaluation.Rag;

/// <summary>What the RAGAS-style evaluators share: asking the judge for JSON, error results, the 0–1 metric.</summary>
internal static class RagMetricSupport
{
    public const string JsonOnly = "Answer with one JSON object and nothing else.";

    public static EvaluationResult Error(string metricName, string message)
    {
        var metric = new NumericMetric(metricName);
        metric.AddDiagnostics(EvaluationDiagnostic.Error(message));
        return new EvaluationResult(metric);
    }

    public static Task<(bool Ok, T Value, string Problem)> AskAsync<T>(
        IChatClient judge,
        string system,
        string user,
        JudgeOptions options,
        JudgeCalls.Parser<T> parse,
        ILogger logger,
        CancellationToken cancellationToken) =>
        JudgeCalls.AskAsync(judge, [new ChatMessage(ChatRole.System, system + " " + JsonOnly), new ChatMessage(ChatRole.User, user)], options, 1, parse, logger, cancellationToken);

    public static string GaveUp(string step, JudgeOptions options, string problem) =>
        $"The judge gave no usable answer for {step} after {options.MaxAttempts} attempts: {problem}. Use a judge model that follows the JSON format, or raise JudgeOptions.MaxAttempts.";

    public static EvaluationResult Score(string metricName, double value, double passThreshold, string reason)
    {
        var metric = new NumericMetric(metricName, value, reason)
        {
            Interpretation = EvaluatorSupport.Interpret(value, 1, passThreshold),
        };
        return new EvaluationResult(metric);
    }

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
