using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation;

/// <summary>
/// The reference text(s) that reference-based evaluators (<see cref="BleuEvaluator"/>, <see cref="ChrFEvaluator"/>,
/// <see cref="RougeEvaluator"/>, <see cref="SquadAnswerEvaluator"/>, <see cref="SemanticSimilarityEvaluator"/>) compare a
/// response with. Pass it in <c>additionalContext</c>.
/// </summary>
public sealed class ReferenceContext : EvaluationContext
{
    /// <summary>The name of this context in evaluation results.</summary>
    public const string ContextName = "References";

    /// <summary>Initializes a new instance of the <see cref="ReferenceContext"/> class.</summary>
    /// <param name="references">One or more references.</param>
    /// <exception cref="ArgumentNullException"><paramref name="references"/> or one of them is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="references"/> is empty.</exception>
    public ReferenceContext(params IEnumerable<string> references)
        : base(ContextName, ToContents(references, out List<string> list))
    {
        References = list;
    }

    /// <summary>Gets the references, in the order given.</summary>
    public IReadOnlyList<string> References { get; }

    private static List<AIContent> ToContents(IEnumerable<string> references, out List<string> list)
    {
        ArgumentNullException.ThrowIfNull(references);
        list = [.. references];
        if (list.Count == 0)
        {
            throw new ArgumentException("A ReferenceContext needs at least one reference text; none was given.", nameof(references));
        }

        var contents = new List<AIContent>(list.Count);
        for (int i = 0; i < list.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(list[i], $"{nameof(references)}[{i}]");
            contents.Add(new TextContent(list[i]));
        }

        return contents;
    }
}
