using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation.Rag;

/// <summary>The retrieved chunks a RAG answer was grounded in, in rank order (best first). Pass it in <c>additionalContext</c>.</summary>
public sealed class RetrievedContext : EvaluationContext
{
    /// <summary>The name of this context in evaluation results.</summary>
    public const string ContextName = "Retrieved Context";

    /// <summary>Initializes a new instance of the <see cref="RetrievedContext"/> class.</summary>
    /// <param name="chunks">The retrieved chunks, best first (may be empty: nothing was retrieved).</param>
    /// <exception cref="ArgumentNullException"><paramref name="chunks"/> or a chunk is <see langword="null"/>.</exception>
    public RetrievedContext(params IEnumerable<string> chunks)
        : base(ContextName, ToContents(chunks, out List<string> list))
    {
        Chunks = list;
    }

    /// <summary>Gets the chunks, best first.</summary>
    public IReadOnlyList<string> Chunks { get; }

    private static List<AIContent> ToContents(IEnumerable<string> chunks, out List<string> list)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        list = [.. chunks];
        var contents = new List<AIContent>(list.Count);
        for (int i = 0; i < list.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(list[i], $"{nameof(chunks)}[{i}]");
            contents.Add(new TextContent(list[i]));
        }

        return contents;
    }

    internal static RetrievedContext? Find(IEnumerable<EvaluationContext>? additionalContext) =>
        additionalContext?.OfType<RetrievedContext>().FirstOrDefault();
}
