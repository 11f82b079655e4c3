using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation.ToolCalls;

/// <summary>
/// The tool calls a response is expected to make, for <see cref="ToolCallAccuracyEvaluator"/>. Pass it in
/// <c>additionalContext</c>; <c>EvaluationRun</c> passes it for every dataset item that has <c>expected_tool_calls</c>.
/// An empty list means the response should call no tool.
/// </summary>
public sealed class ExpectedToolCallsContext : EvaluationContext
{
    /// <summary>The name of this context in evaluation results.</summary>
    public const string ContextName = "Expected Tool Calls";

    /// <summary>Initializes a new instance of the <see cref="ExpectedToolCallsContext"/> class.</summary>
    /// <param name="calls">The expected calls, in any order (may be empty: no tool call is expected).</param>
    /// <exception cref="ArgumentNullException"><paramref name="calls"/> or a call is <see langword="null"/>.</exception>
    public ExpectedToolCallsContext(params IEnumerable<ExpectedToolCall> calls)
        : base(ContextName, ToContents(calls, out List<ExpectedToolCall> list))
    {
        Calls = list;
    }

    /// <summary>Gets the expected calls.</summary>
    public IReadOnlyList<ExpectedToolCall> Calls { get; }

    internal static ExpectedToolCallsContext? Find(IEnumerable<EvaluationContext>? additionalContext) =>
        additionalContext?.OfType<ExpectedToolCallsContext>().FirstOrDefault();

    // Each expected call is shown as a FunctionCallContent, so MEAI's reporting lists it like a real call.
    private static List<AIContent> ToContents(IEnumerable<ExpectedToolCall> calls, out List<ExpectedToolCall> list)
    {
        ArgumentNullException.ThrowIfNull(calls);
        list = [.. calls];
        var contents = new List<AIContent>(list.Count);
        for (int i = 0; i < list.Count; i++)
        {
            ExpectedToolCall call = list[i] ?? throw new ArgumentNullException($"{nameof(calls)}[{i}]");
            Dictionary<string, object?>? arguments = null;
            if (call.Arguments is { } json)
            {
                arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (JsonProperty p in json.EnumerateObject())
                {
                    arguments[p.Name] = p.Value;
                }
            }

            contents.Add(new FunctionCallContent($"expected-{i + 1}", call.Name, arguments));
        }

        return contents;
    }
}
