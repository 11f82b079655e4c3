using System.Buffers;
using Microsoft.Extensions.AI;

namespace LlmOps.Routing;

/// <summary>
/// The features <see cref="ComplexityScorer"/> reads from a request, each scaled to about [0, 1]: length, conversation
/// depth, task words (simple, medium, hard), code, math, multi-step structure, requested output format, tools, and cues
/// that ask for a short answer. Cues match ordinal and case-insensitive, as substrings; no regex.
/// </summary>
internal static class ComplexityFeatures
{
    /// <summary>The number of features, the bias included (feature 0 is always 1).</summary>
    public const int Count = 16;

    /// <summary>The feature names, in order, for reports.</summary>
    public static readonly string[] Names =
    [
        "bias", "last_turn_length", "conversation_length", "conversation_depth", "simple_task_words", "medium_task_words",
        "hard_task_words", "code", "math", "multi_step", "sentences", "output_format", "tools", "short_answer_cues",
        "system_prompt_length", "short_question",
    ];

    private static readonly string[] SimpleTask =
    [
        "classify", "extract", "translate", "yes or no", "label ", "spell", "what is the", "which ", "who ", "convert", "detect",
        "tag the", "sort these", "count the", "true or false", "abbreviation", "synonym", "opposite", "plural", "past tense",
        "capital of", "identify the intent", "return the", "give the", "normalise", "normalize", "lowercase", "categorise", "categorize",
    ];

    private static readonly string[] MediumTask =
    [
        "explain", "summarise", "summarize", "compare", "rewrite", "describe", "draft", "write a short", "outline", "pros and cons",
        "difference between", "paraphrase", "overview", "tips", "why do", "why is", "how does", "how do", "what are", "suggest",
        "write a polite", "write a friendly", "story", "survey", "bio", "letter", "message", "post",
    ];

    private static readonly string[] HardTask =
    [
        "prove", "derive", "design", "implement", "debug", "optimise", "optimize", "analyse", "analyze", "architecture", "algorithm",
        "refactor", "trade-off", "complexity", "threat model", "migrat", "diagnose", "root cause", "concurren", "distributed",
        "scale", "thread-safe", "race condition", "consensus", "invariant", "equilibri", "formal", "generalise", "generalize",
        "from scratch", "production", "failure mode", "edge case", "test plan", "schema", "estimate",
    ];

    private static readonly string[] Code =
    [
        "```", "def ", "function", "class ", "return ", "=>", "();", "{ ", " }", "c#", "java", "python", "rust", "golang", " go ",
        "c++", "sql", "typescript", "javascript", "kotlin", "haskell", "bash", "terraform", "kubernetes", "react", "regex", "api",
        "stack trace", "exception", "code",
    ];

    private static readonly string[] Math =
    [
        "integral", "derivative", "equation", "probability", "eigen", "matrix", "theorem", "induction", "formula", "sum of",
        "^", "sqrt", "square root", "irrational", "prime", "big-o", "o(n", "log n", "expected value", "variance", "compute the",
        "calculate", "solve",
    ];

    private static readonly string[] MultiStep =
    [
        "step by step", "step-by-step", "first,", "then ", "finally", "and then", "each step", "1.", "2.", "3.", "including",
        "with details", "in order", "for each", "as well as",
    ];

    private static readonly string[] OutputFormat =
    [
        "json", "table", "yaml", "csv", "schema", "markdown", "xml", "bullet",
    ];

    private static readonly string[] ShortAnswer =
    [
        "one word", "yes or no", "in one sentence", "briefly", "one-word", "answer yes", "true or false", "just tell me",
    ];

    private static readonly SearchValues<string> QuestionStart = Cues("what ", "which ", "who ", "is ", "how many ", "when ");

    // The eight cue sets, counted in one pass over the text (eight SearchValues scans took about 3 times as long).
    internal static readonly string[][] CueSets = [SimpleTask, MediumTask, HardTask, Code, Math, MultiStep, OutputFormat, ShortAnswer];
    private static readonly CueAutomaton Automaton = new(CueSets);

    /// <summary>Writes the features of a request into <paramref name="features"/> (length <see cref="Count"/>).</summary>
    public static void Extract(IReadOnlyList<ChatMessage> messages, ChatOptions? options, Span<float> features)
    {
        features.Clear();
        features[0] = 1;
        string last = string.Empty;
        long total = 0, system = 0;
        var turns = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            var text = m.Text ?? string.Empty;
            total += text.Length;
            if (m.Role == ChatRole.User)
            {
                turns++;
                last = text;
            }
            else if (m.Role == ChatRole.System)
            {
                system += text.Length;
            }
        }

        // A caller may send earlier turns inline, separated by "||" (the labelled set does): each counts as a turn.
        var span = last.AsSpan();
        var inline = span.Count("||");
        if (inline > 0)
        {
            turns += inline;
            span = span[(span.LastIndexOf("||") + 2)..];
        }

        features[1] = Scale(span.Length, 8);
        features[2] = Scale(total, 9);
        features[3] = MathF.Min(turns - 1, 5) / 5f;
        Span<int> counts = stackalloc int[CueSets.Length];
        Automaton.Count(span, counts);
        features[4] = Cap(counts[0], 2);
        features[5] = Cap(counts[1], 2);
        features[6] = Cap(counts[2], 3);
        features[7] = Cap(counts[3], 3);
        features[8] = Cap(counts[4] + Digits(span), 3);
        features[9] = Cap(counts[5], 3);
        features[10] = Cap(span.Count('.') + span.Count('?') + span.Count(';'), 6);
        features[11] = options?.ResponseFormat is ChatResponseFormatJson ? 1 : Cap(counts[6], 1);
        features[12] = options?.Tools is { Count: > 0 } ? 1 : 0;
        features[13] = Cap(counts[7], 1);
        features[14] = Scale(system, 9);
        features[15] = span.Length < 90 && span.TrimStart().IndexOfAny(QuestionStart) == 0 ? 1 : 0;
    }

    private static SearchValues<string> Cues(params string[] cues) => SearchValues.Create(cues, StringComparison.OrdinalIgnoreCase);

    private static int Digits(ReadOnlySpan<char> text)
    {
        // Numbers with operators between them read as arithmetic; a lone year or quantity does not.
        var operators = text.Count('+') + text.Count('=') + text.Count('*') + text.Count('/');
        return operators >= 2 ? 1 : 0;
    }

    private static float Scale(long length, float logMax) => MathF.Min(1f, MathF.Log(1 + length) / logMax);

    private static float Cap(int count, int max) => MathF.Min(count, max) / (float)max;
}
