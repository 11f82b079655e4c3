using System.Diagnostics.CodeAnalysis;
using System.Text;
using LlmOps.IO;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmOps.Prompts;

/// <summary>
/// An <see cref="IPromptStore"/> over a directory of text files that read well in review and diff cleanly in git:
/// <c>&lt;root&gt;/&lt;name&gt;/v&lt;N&gt;.prompt.md</c> per version (YAML front matter plus role-sectioned body) and
/// <c>&lt;root&gt;/&lt;name&gt;/labels.yaml</c> for labels and their history.
/// </summary>
/// <remarks>
/// <para>Every write goes to a temporary file that is then renamed into place, so a crash never leaves a half-written prompt.</para>
/// <para>
/// Every <see cref="LoadAsync"/> re-reads the directory, so edits on disk are seen on the next load (the registry's
/// refresh interval bounds how often that happens); unchanged files are not re-parsed. A malformed file is reported
/// in <see cref="Problems"/> with its file, line and problem, and the version last loaded from that file stays
/// served. A file that cannot be read and was never read before is reported in
/// <see cref="PromptRecord.UnreadableVersions"/>, so asking for that version throws its
/// <see cref="PromptStoreException"/> while the other versions stay served; a missing version number (a gap) leaves
/// the later versions reachable.
/// </para>
/// <para>Writers in one process are serialised. Two processes adding the same version number conflict: the second fails.</para>
/// </remarks>
[RequiresDynamicCode(PromptFileFormat.ReflectionReason)]
[RequiresUnreferencedCode(PromptFileFormat.ReflectionReason)]
public sealed class FilePromptStore : IPromptStore
{
    private const string Extension = ".prompt.md";
    private const string LabelsFileName = "labels.yaml";
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (string Text, PromptTemplate? Template, PromptStoreException? Problem)> _parsed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Exception> _problems = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (Dictionary<string, int> Labels, List<PromptLabelMove> History)> _labels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _badLabelsText = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="FilePromptStore"/> class.</summary>
    /// <param name="directory">The root directory; created when missing.</param>
    /// <param name="logger">Logs each damaged or tampered file once per change (EventIds 1200, 1201); none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty.</exception>
    public FilePromptStore(string directory, ILogger? logger = null)
    {
        _logger = logger ?? NullLogger.Instance;
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>Gets the root directory.</summary>
    public string Directory { get; }

    /// <summary>Gets the problems found at the last load of each file (malformed or tampered files); empty when all is well.</summary>
    public IReadOnlyList<Exception> Problems
    {
        get
        {
            lock (_gate)
            {
                return [.. _problems.Values];
            }
        }
    }

    /// <summary>Called after a temporary file is written and before it is renamed into place (tests simulate a crash here).</summary>
    internal Action<string>? BeforeCommit { get; set; }

    /// <inheritdoc/>
    public async ValueTask<PromptRecord?> LoadAsync(string name, CancellationToken cancellationToken = default)
    {
        var folder = Folder(name);
        if (!System.IO.Directory.Exists(folder)) return null;

        var files = System.IO.Directory.GetFiles(folder, "v*" + Extension);
        var texts = new List<(string Path, string? Text)>(files.Length);
        foreach (var file in files)
        {
            string? text;
            try
            {
                text = await File.ReadAllTextAsync(file, Encoding.UTF8, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                text = null; // being replaced right now: keep what we had
            }

            texts.Add((file, text));
        }

        var labelsPath = Path.Combine(folder, LabelsFileName);
        string? labelsText = File.Exists(labelsPath) ? await ReadOrNullAsync(labelsPath, cancellationToken).ConfigureAwait(false) : null;

        lock (_gate)
        {
            var byVersion = new SortedDictionary<int, PromptTemplate>();
            var unreadable = new Dictionary<int, PromptStoreException>();
            foreach (var (path, text) in texts)
            {
                var (template, problem) = Parse(name, path, text);
                if (template is not null)
                {
                    byVersion[template.Version] = template;
                }
                else if (problem?.Version is int number)
                {
                    unreadable[number] = problem;
                }
            }

            foreach (var number in byVersion.Keys) unreadable.Remove(number);
            PromptRecord Record(IReadOnlyDictionary<string, int> labels, IReadOnlyList<PromptLabelMove> history, PromptStoreException? labelsProblem = null)
                => new(name, [.. byVersion.Values], labels, history) { UnreadableVersions = unreadable, LabelsProblem = labelsProblem };

            if (labelsText is null && File.Exists(labelsPath) && _labels.TryGetValue(labelsPath, out var kept))
            {
                // Being replaced right now: keep serving what we had.
                return Record(kept.Labels, kept.History);
            }

            var labels = new Dictionary<string, int>(StringComparer.Ordinal);
            var history = new List<PromptLabelMove>();
            if (labelsText is not null)
            {
                try
                {
                    var file = PromptFileFormat.ReadLabels(labelsPath, labelsText);
                    foreach (var (k, v) in file.Labels) labels[k] = v;
                    foreach (var h in file.History) history.Add(new PromptLabelMove(name, h.Label ?? string.Empty, h.From, h.To, h.By, DateTimeOffset.TryParse(h.At, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var at) ? at : default));
                    _problems.Remove(labelsPath);
                    _labels[labelsPath] = (labels, history);
                }
                catch (PromptStoreException ex)
                {
                    if (!(_badLabelsText.TryGetValue(labelsPath, out var seen) && string.Equals(seen, labelsText, StringComparison.Ordinal)))
                    {
                        _badLabelsText[labelsPath] = labelsText;
                        PromptsLog.FileUnreadable(_logger, labelsPath, ex.Message);
                    }

                    _problems[labelsPath] = ex;
                    return _labels.TryGetValue(labelsPath, out var previous) ? Record(previous.Labels, previous.History) : Record(labels, history, ex);
                }
            }

            return Record(labels, history);
        }
    }

    /// <inheritdoc/>
    /// <remarks>A prompt is a folder under <see cref="Directory"/> whose name is a valid prompt name and that holds at least one <c>v&lt;N&gt;.prompt.md</c> file (readable or not); other folders are ignored.</remarks>
    public ValueTask<IReadOnlyList<string>> ListNamesAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var names = new List<string>();
        foreach (var folder in System.IO.Directory.EnumerateDirectories(Directory))
        {
            var name = Path.GetFileName(folder);
            if (IsFolderName(name) && System.IO.Directory.EnumerateFiles(folder, "v*" + Extension).Any())
            {
                names.Add(name);
            }
        }

        names.Sort(StringComparer.Ordinal);
        return new(names);
    }

    /// <inheritdoc/>
    public async ValueTask AddVersionAsync(PromptTemplate template, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(template);
        var folder = Folder(template.Name);
        System.IO.Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"v{template.Version}{Extension}");
        var text = PromptFileFormat.Write(template);
        try
        {
            await WriteAtomicAsync(path, text, overwrite: false, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (File.Exists(path))
        {
            throw new InvalidOperationException($"Prompt '{template.Name}' version {template.Version} already exists in {folder}; another writer added it. Reload and register again.", ex);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The expected version is checked against <c>labels.yaml</c> before it is rewritten, so a stale move is rejected;
    /// two processes moving the same label at the same instant are not serialised (a file has no compare-and-swap), so
    /// use the SQLite or PostgreSQL store when several instances move labels.
    /// </remarks>
    public async ValueTask MoveLabelAsync(PromptLabelMove move, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(move);
        var folder = Folder(move.PromptName);
        System.IO.Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, LabelsFileName);
        var existing = File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false) : null;
        var labels = existing is null ? new PromptFileFormat.LabelsFile() : PromptFileFormat.ReadLabels(path, existing);
        int? current = labels.Labels.TryGetValue(move.Label, out var at) ? at : null;
        if (current != move.FromVersion)
        {
            throw PromptLabelConflictException.For(move, current);
        }

        labels.Labels[move.Label] = move.ToVersion;
        labels.History.Add(new PromptFileFormat.LabelMoveEntry { Label = move.Label, From = move.FromVersion, To = move.ToVersion, By = move.MovedBy, At = move.MovedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture) });
        await WriteAtomicAsync(path, PromptFileFormat.WriteLabels(labels), overwrite: true, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string?> ReadOrNullAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private (PromptTemplate? Template, PromptStoreException? Problem) Parse(string name, string path, string? text)
    {
        var known = _parsed.TryGetValue(path, out var p);
        var previous = known ? p.Template : null; // the last good version read from this file
        if (known && (text is null || string.Equals(p.Text, text, StringComparison.Ordinal)))
        {
            return (p.Template, p.Problem); // unchanged (or being replaced right now): nothing new to parse or log
        }

        if (text is null)
        {
            return (null, null);
        }

        var fileName = Path.GetFileName(path);
        int? fileVersion = int.TryParse(fileName.AsSpan(1, fileName.Length - 1 - Extension.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
        try
        {
            var template = PromptFileFormat.Read(path, text, fileVersion);
            if (!string.Equals(template.Name, name, StringComparison.Ordinal) || !string.Equals(fileName, $"v{template.Version}{Extension}", StringComparison.Ordinal))
            {
                throw PromptFileFormat.Fail(path, 2, $"the front matter says {template.Name}@{template.Version}, but the file's place says {name} and its name says {fileName}; make them agree", fileVersion);
            }

            _parsed[path] = (text, template, null);
            if (template.IsIntact)
            {
                _problems.Remove(path);
            }
            else
            {
                PromptsLog.FileTampered(_logger, path);
                _problems[path] = new PromptTamperedException($"{path}: the content of {template} does not match its recorded hash {template.ContentHash}; it was edited after registration. Restore it, or register the edit as a new version.");
            }

            return (template, null);
        }
        catch (PromptStoreException ex)
        {
            // Logged once per change: an unchanged damaged text is not parsed again (see the check above).
            _parsed[path] = (text, previous, ex);
            PromptsLog.FileUnreadable(_logger, path, ex.Message);
            _problems[path] = ex;
            return (previous, ex);
        }
    }

    private Task WriteAtomicAsync(string path, string text, bool overwrite, CancellationToken cancellationToken) =>
        AtomicFile.WriteAsync(
            path,
            async (stream, ct) =>
            {
                var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
                await using (writer.ConfigureAwait(false))
                {
                    await writer.WriteAsync(text.AsMemory(), ct).ConfigureAwait(false);
                }
            },
            cancellationToken,
            overwrite,
            BeforeCommit);

    private string Folder(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!IsFolderName(name))
        {
            throw new ArgumentException($"Prompt name '{name}' cannot be used as a folder name; use letters, digits, '-', '_' and '.', not starting with '.'.", nameof(name));
        }

        return Path.Combine(Directory, name);
    }

    private static bool IsFolderName(string name)
        => name.Length > 0 && !name.StartsWith('.') && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
