namespace LlmOps.Prompts;

/// <summary>Everything a store holds for one prompt name: its versions, labels and label history.</summary>
/// <param name="Name">The prompt name.</param>
/// <param name="Versions">
/// The readable versions, ordered by version number. Numbers may have gaps (a version file deleted or unreadable);
/// look a version up by <see cref="PromptTemplate.Version"/>, not by position.
/// </param>
/// <param name="Labels">The current labels, mapping a label to a version.</param>
/// <param name="LabelHistory">Every label move, oldest first.</param>
public sealed record PromptRecord(
    string Name,
    IReadOnlyList<PromptTemplate> Versions,
    IReadOnlyDictionary<string, int> Labels,
    IReadOnlyList<PromptLabelMove> LabelHistory)
{
    /// <summary>Gets the versions the store knows exist but cannot read, each with the reason (file and line).</summary>
    /// <value>The default value is empty.</value>
    public IReadOnlyDictionary<int, PromptStoreException> UnreadableVersions { get; init; } = new Dictionary<int, PromptStoreException>();

    /// <summary>Gets the problem with the stored labels, when they cannot be read and none were read before; otherwise <see langword="null"/>.</summary>
    public PromptStoreException? LabelsProblem { get; init; }

    /// <summary>Gets the highest version number the store holds, readable or not; 0 when there is none.</summary>
    public int LatestVersion
    {
        get
        {
            var latest = Versions.Count > 0 ? Versions[^1].Version : 0;
            foreach (var number in UnreadableVersions.Keys) latest = Math.Max(latest, number);
            return latest;
        }
    }

    /// <summary>Finds a readable version by number.</summary>
    /// <param name="version">The version number.</param>
    /// <returns>The version, or <see langword="null"/> when it is missing or unreadable.</returns>
    public PromptTemplate? FindVersion(int version)
    {
        foreach (var v in Versions)
        {
            if (v.Version == version) return v;
        }

        return null;
    }
}
