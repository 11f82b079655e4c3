using LlmOps.DependencyInjection;
using System.Collections.Concurrent;

namespace LlmOps.Prompts;

/// <summary>
/// Versioned prompts over an <see cref="IPromptStore"/>: registration with content-hash deduplication, labels and
/// rollback, label history, diffs, a refresh-interval cache, and the experiments that run on prompts.
/// </summary>
/// <remarks>
/// The label <c>latest</c> always means the newest version and cannot be moved. A resolved prompt is cached and
/// re-read from the store on the first call after <see cref="PromptRegistryOptions.RefreshInterval"/> has passed
/// (on the injected <see cref="TimeProvider"/>); changes made through this registry are visible at once. When the
/// store is an <see cref="IPromptChangeSource"/>, a change announced by the store (for example a label moved by another
/// instance) drops the cached copy at once, so the next call reads the store.
/// </remarks>
public sealed class PromptRegistry
{
    /// <summary>The label that always resolves to the newest version.</summary>
    public const string LatestLabel = "latest";

    private readonly IPromptStore _store;
    private readonly PromptRegistryOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _writeGates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PromptExperiment> _experiments = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="PromptRegistry"/> class.</summary>
    /// <param name="store">The store.</param>
    /// <param name="options">The options; defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for the cache and label history; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The options are invalid.</exception>
    public PromptRegistry(IPromptStore store, PromptRegistryOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = ValidatableOptionsValidator<PromptRegistryOptions>.ThrowIfInvalidArgument(options ?? new PromptRegistryOptions(), nameof(options));
        _time = timeProvider ?? TimeProvider.System;
        if (store is IPromptChangeSource source)
        {
            source.PromptChanged += OnPromptChanged;
        }
    }

    /// <summary>Gets how many experiments are configured (the maturity report looks for one).</summary>
    internal int ExperimentCount => _experiments.Count;

    /// <summary>Gets the options.</summary>
    public PromptRegistryOptions Options => _options;

    /// <summary>Gets the store.</summary>
    public IPromptStore Store => _store;

    /// <summary>
    /// Registers content as a new version (N+1). Content identical to an existing version (same
    /// <see cref="PromptTemplate.ContentHash"/>) returns that version instead.
    /// </summary>
    /// <param name="draft">The content; its <see cref="PromptTemplate.Version"/> is ignored.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The registered (or existing) version.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="draft"/> is <see langword="null"/>.</exception>
    /// <exception cref="PromptRenderException">The template's syntax is invalid.</exception>
    public async Task<PromptTemplate> RegisterAsync(PromptTemplate draft, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        draft.Compile();
        var gate = _writeGates.GetOrAdd(draft.Name, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var record = await _store.LoadAsync(draft.Name, cancellationToken).ConfigureAwait(false);
            var versions = record?.Versions ?? [];
            foreach (var existing in versions)
            {
                if (string.Equals(existing.ContentHash, draft.ContentHash, StringComparison.Ordinal))
                {
                    Remember(record!);
                    return existing;
                }
            }

            var version = draft.WithVersion((record?.LatestVersion ?? 0) + 1);
            await _store.AddVersionAsync(version, cancellationToken).ConfigureAwait(false);
            _cache.TryRemove(draft.Name, out _);
            return version;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Resolves a prompt by version, by label, or (neither given) the <c>latest</c> version.</summary>
    /// <param name="name">The prompt name.</param>
    /// <param name="version">The version number, or <see langword="null"/>.</param>
    /// <param name="label">The label, or <see langword="null"/>. Ignored when <paramref name="version"/> is given.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The version.</returns>
    /// <exception cref="PromptNotFoundException">The prompt, version or label does not exist.</exception>
    /// <exception cref="PromptTamperedException">The stored version no longer matches its content hash.</exception>
    /// <exception cref="PromptStoreException">The stored version (or the labels) cannot be read; the message names the file and line.</exception>
    public async Task<PromptTemplate> GetAsync(string name, int? version = null, string? label = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var record = await GetRecordAsync(name, cancellationToken).ConfigureAwait(false);
        var number = ResolveNumber(record, version, label);
        var template = Find(record, number);
        if (!template.IsIntact)
        {
            throw new PromptTamperedException($"Prompt {name}@{number} was modified after it was registered: its content no longer matches hash {template.ContentHash}. Restore the original file, or register the change as a new version.");
        }

        return template;
    }

    /// <summary>Gets the version a label points at.</summary>
    /// <param name="name">The prompt name.</param>
    /// <param name="label">The label.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The version number.</returns>
    /// <exception cref="PromptNotFoundException">The prompt or label does not exist.</exception>
    public async Task<int> GetLabelAsync(string name, string label, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(label);
        return ResolveNumber(await GetRecordAsync(name, cancellationToken).ConfigureAwait(false), null, label);
    }

    /// <summary>Moves a label to a version, atomically, and records the move in the label history.</summary>
    /// <param name="name">The prompt name.</param>
    /// <param name="label">The label, for example <c>production</c>. <c>latest</c> cannot be moved.</param>
    /// <param name="version">The version to point at.</param>
    /// <param name="movedBy">Who moves it, for the history.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The recorded move.</returns>
    /// <exception cref="PromptNotFoundException">The prompt or version does not exist.</exception>
    /// <exception cref="ArgumentException">The label is <c>latest</c> or empty.</exception>
    /// <exception cref="PromptLabelConflictException">Another writer moved the label between the read and the move; nothing was written.</exception>
    public async Task<PromptLabelMove> SetLabelAsync(string name, string label, int version, string? movedBy = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(label);
        if (string.Equals(label, LatestLabel, StringComparison.Ordinal))
        {
            throw new ArgumentException("The 'latest' label always points at the newest version and cannot be moved; use another label such as 'production'.", nameof(label));
        }

        var gate = _writeGates.GetOrAdd(name, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var record = await LoadFreshAsync(name, cancellationToken).ConfigureAwait(false);
            Find(record, version);

            int? from = record.Labels.TryGetValue(label, out var current) ? current : null;
            var move = new PromptLabelMove(name, label, from, version, movedBy, _time.GetUtcNow());
            try
            {
                await _store.MoveLabelAsync(move, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _cache.TryRemove(name, out _); // after a conflict too: the cached label is the stale one
            }

            return move;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Rolls a label back to the version it pointed at before its last move.</summary>
    /// <param name="name">The prompt name.</param>
    /// <param name="label">The label.</param>
    /// <param name="movedBy">Who rolls back, for the history.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The recorded move.</returns>
    /// <exception cref="InvalidOperationException">The label has no earlier version to return to.</exception>
    public async Task<PromptLabelMove> RollbackAsync(string name, string label, string? movedBy = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(label);
        var record = await LoadFreshAsync(name, cancellationToken).ConfigureAwait(false);
        PromptLabelMove? last = null;
        for (var i = record.LabelHistory.Count - 1; i >= 0; i--)
        {
            if (string.Equals(record.LabelHistory[i].Label, label, StringComparison.Ordinal))
            {
                last = record.LabelHistory[i];
                break;
            }
        }

        if (last?.FromVersion is not int previous)
        {
            throw new InvalidOperationException($"Label '{label}' of prompt '{name}' has no earlier version to roll back to; move it explicitly with SetLabelAsync.");
        }

        return await SetLabelAsync(name, label, previous, movedBy, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets the history of label moves of a prompt, oldest first.</summary>
    /// <param name="name">The prompt name.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The moves.</returns>
    /// <exception cref="PromptNotFoundException">The prompt does not exist.</exception>
    public async Task<IReadOnlyList<PromptLabelMove>> GetLabelHistoryAsync(string name, CancellationToken cancellationToken = default)
        => (await LoadFreshAsync(name, cancellationToken).ConfigureAwait(false)).LabelHistory;

    /// <summary>Returns a line diff of two versions' messages and settings.</summary>
    /// <param name="name">The prompt name.</param>
    /// <param name="fromVersion">The first version.</param>
    /// <param name="toVersion">The second version.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The lines, each unchanged, removed or added.</returns>
    /// <exception cref="PromptNotFoundException">A version does not exist.</exception>
    public async Task<IReadOnlyList<PromptDiffLine>> DiffAsync(string name, int fromVersion, int toVersion, CancellationToken cancellationToken = default)
    {
        var a = await GetAsync(name, fromVersion, cancellationToken: cancellationToken).ConfigureAwait(false);
        var b = await GetAsync(name, toVersion, cancellationToken: cancellationToken).ConfigureAwait(false);
        return PromptDiff.Lines(PromptDiff.ToLines(a), PromptDiff.ToLines(b));
    }

    /// <summary>Adds (or replaces) the experiment that runs on a prompt.</summary>
    /// <param name="experiment">The experiment.</param>
    /// <exception cref="ArgumentNullException"><paramref name="experiment"/> is <see langword="null"/>.</exception>
    public void AddExperiment(PromptExperiment experiment)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        _experiments[experiment.PromptName] = experiment;
    }

    /// <summary>Gets the experiment running on a prompt, if any.</summary>
    /// <param name="promptName">The prompt name.</param>
    /// <returns>The experiment or <see langword="null"/>.</returns>
    public PromptExperiment? GetExperiment(string promptName)
    {
        ArgumentNullException.ThrowIfNull(promptName);
        return _experiments.GetValueOrDefault(promptName);
    }

    private static int ResolveNumber(PromptRecord record, int? version, string? label)
    {
        if (version is int v)
        {
            return v;
        }

        if (label is null || string.Equals(label, LatestLabel, StringComparison.Ordinal))
        {
            return record.LatestVersion;
        }

        if (record.LabelsProblem is { } problem)
        {
            throw problem;
        }

        return record.Labels.TryGetValue(label, out var n)
            ? n
            : throw new PromptNotFoundException($"Prompt '{record.Name}' has no label '{label}'. Known labels: latest{(record.Labels.Count > 0 ? ", " : string.Empty)}{string.Join(", ", record.Labels.Keys)}. Set it with SetLabelAsync.");
    }

    /// <summary>Finds a version by number: a readable one, else the store's reason it cannot be read, else not found.</summary>
    private static PromptTemplate Find(PromptRecord record, int number)
    {
        if (record.FindVersion(number) is { } template) return template;
        if (record.UnreadableVersions.TryGetValue(number, out var problem)) throw problem;
        var known = new List<int>(record.Versions.Count);
        foreach (var v in record.Versions) known.Add(v.Version);
        throw new PromptNotFoundException($"Prompt '{record.Name}' has no version {number}; it has versions {string.Join(", ", known)}.");
    }

    private async Task<PromptRecord> GetRecordAsync(string name, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(name, out var entry) && _time.GetUtcNow() - entry.LoadedAt < _options.RefreshInterval)
        {
            return entry.Record;
        }

        return await LoadFreshAsync(name, cancellationToken).ConfigureAwait(false);
    }

    private async Task<PromptRecord> LoadFreshAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var record = await _store.LoadAsync(name, cancellationToken).ConfigureAwait(false);
        if (record is null || record.LatestVersion == 0)
        {
            throw new PromptNotFoundException($"No prompt named '{name}' is registered. Register it with PromptRegistry.RegisterAsync or add a prompt file to the store's directory.");
        }

        Remember(record);
        return record;
    }

    private void OnPromptChanged(object? sender, PromptChangedEventArgs e)
    {
        if (e.PromptName is { } name)
        {
            _cache.TryRemove(name, out _);
        }
        else
        {
            _cache.Clear();
        }
    }

    private void Remember(PromptRecord record) => _cache[record.Name] = new Entry(record, _time.GetUtcNow());

    private sealed record Entry(PromptRecord Record, DateTimeOffset LoadedAt);
}
