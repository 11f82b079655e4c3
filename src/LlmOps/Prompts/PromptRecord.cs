namespace LlmOps.Prompts;

/// <summary>Everything a store holds for one prompt name: its versions, labels and label history.</summary>
/// <param name="Name">The prompt name.</param>
/// <param name="Versions">The versions, ordered by version number.</param>
/// <param name="Labels">The current labels, mapping a label to a version.</param>
/// <param name="LabelHistory">Every label move, oldest first.</param>
public sealed record PromptRecord(
    string Name,
    IReadOnlyList<PromptTemplate> Versions,
    IReadOnlyDictionary<string, int> Labels,
    IReadOnlyList<PromptLabelMove> LabelHistory);
