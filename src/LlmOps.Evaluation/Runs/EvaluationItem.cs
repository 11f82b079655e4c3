using LlmOps.Evaluation.ToolCalls;

namespace LlmOps.Evaluation.Runs;

/// <summary>One dataset item: an input, optional references, retrieved context and expected tool calls, and free-form metadata.</summary>
/// <param name="Id">A stable id (used to resume a run and to pair items when comparing runs).</param>
/// <param name="Input">The user input sent to the target.</param>
/// <param name="References">Reference answers (may be empty).</param>
/// <param name="Context">Retrieved context chunks (may be empty).</param>
/// <param name="Metadata">Other fields of the item.</param>
public sealed record EvaluationItem(string Id, string Input, IReadOnlyList<string> References, IReadOnlyList<string> Context, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>
    /// Gets the tool calls the response is expected to make, in any order (scored by <see cref="ToolCallAccuracyEvaluator"/>);
    /// <see langword="null"/> when the item says nothing about tool calls, empty when it expects none.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IReadOnlyList<ExpectedToolCall>? ExpectedToolCalls { get; init; }
}
