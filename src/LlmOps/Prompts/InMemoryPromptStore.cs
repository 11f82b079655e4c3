namespace LlmOps.Prompts;

/// <summary>An in-process <see cref="IPromptStore"/>. Thread-safe; contents are lost when the process ends.</summary>
public sealed class InMemoryPromptStore : IPromptStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, PromptRecord> _records = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public ValueTask<PromptRecord?> LoadAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return new(_records.GetValueOrDefault(name));
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> ListNamesAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return new([.. _records.Values.Where(r => r.Versions.Count > 0).Select(r => r.Name).Order(StringComparer.Ordinal)]);
        }
    }

    /// <inheritdoc/>
    public ValueTask AddVersionAsync(PromptTemplate template, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(template);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var record = _records.GetValueOrDefault(template.Name) ?? Empty(template.Name);
            if (template.Version != record.LatestVersion + 1)
            {
                throw new InvalidOperationException($"Prompt '{template.Name}' cannot add version {template.Version}: the next version is {record.LatestVersion + 1}.");
            }

            _records[template.Name] = record with { Versions = [.. record.Versions, template] };
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    /// <exception cref="PromptLabelConflictException">The label no longer points at <see cref="PromptLabelMove.FromVersion"/>.</exception>
    public ValueTask MoveLabelAsync(PromptLabelMove move, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(move);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var record = _records.GetValueOrDefault(move.PromptName) ?? Empty(move.PromptName);
            int? current = record.Labels.TryGetValue(move.Label, out var at) ? at : null;
            if (current != move.FromVersion)
            {
                throw PromptLabelConflictException.For(move, current);
            }

            var labels = new Dictionary<string, int>(record.Labels, StringComparer.Ordinal) { [move.Label] = move.ToVersion };
            _records[move.PromptName] = record with { Labels = labels, LabelHistory = [.. record.LabelHistory, move] };
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Replaces a stored version's content without its hash (test hook for tamper detection).</summary>
    internal void Tamper(string name, int version, PromptTemplate content)
    {
        lock (_gate)
        {
            var record = _records[name];
            var versions = record.Versions.ToArray();
            var index = Array.FindIndex(versions, v => v.Version == version);
            var original = versions[index];
            versions[index] = new PromptTemplate(name, version, original.ContentHash, content.Messages, content.Variables, content.Settings, content.Metadata);
            _records[name] = record with { Versions = versions };
        }
    }

    private static PromptRecord Empty(string name)
        => new(name, [], new Dictionary<string, int>(StringComparer.Ordinal), []);
}
