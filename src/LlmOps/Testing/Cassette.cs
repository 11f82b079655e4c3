using System.Text.Json;
using LlmOps.IO;

namespace LlmOps.Testing;

/// <summary>The entries of one cassette file, loaded once and written back atomically after each change.</summary>
internal sealed class Cassette
{
    public const int CurrentVersion = 1;

    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Dictionary<string, CassetteEntry> _entries;

    private Cassette(string path, bool existed, Dictionary<string, CassetteEntry> entries)
    {
        Path = path;
        Existed = existed;
        _entries = entries;
    }

    public string Path { get; }

    /// <summary>Gets a value indicating whether the file existed when the cassette was loaded.</summary>
    public bool Existed { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Test seam: runs after the temporary file is written and before it replaces the cassette.</summary>
    internal Action<string>? BeforeCommit { get; set; }

    public static Cassette Load(string path)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            return new Cassette(fullPath, existed: false, new Dictionary<string, CassetteEntry>(StringComparer.Ordinal));
        }

        CassetteDocument? document;
        try
        {
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read);
            document = JsonSerializer.Deserialize(stream, CassetteJsonContext.Default.CassetteDocument);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" at line {line + 1}, position {(ex.BytePositionInLine ?? 0) + 1}" : string.Empty;
            throw new CassetteFormatException(fullPath, $"it is not valid cassette JSON{where} (is it truncated or hand-edited?). {ex.Message}", ex);
        }

        if (document is null)
        {
            throw new CassetteFormatException(fullPath, "it contains 'null' instead of a cassette object.", null);
        }

        if (document.Version != CurrentVersion)
        {
            var found = document.Version == 0 ? "no 'version'" : $"version {document.Version}";
            throw new CassetteFormatException(fullPath, $"it has {found}; this version of LlmOps reads cassette version {CurrentVersion}.", null);
        }

        var entries = new Dictionary<string, CassetteEntry>(StringComparer.Ordinal);
        var index = 0;
        foreach (var entry in document.Entries ?? [])
        {
            index++;
            if (entry is null)
            {
                throw new CassetteFormatException(fullPath, $"entry #{index} is null.", null);
            }

            if (string.IsNullOrEmpty(entry.Key))
            {
                throw new CassetteFormatException(fullPath, $"entry #{index} has no 'key'.", null);
            }

            if (entry.Response is null)
            {
                throw new CassetteFormatException(fullPath, $"entry #{index} (key {entry.Key}) has no 'response'.", null);
            }

            if (!entries.TryAdd(entry.Key, entry))
            {
                throw new CassetteFormatException(fullPath, $"entry #{index} repeats key {entry.Key}.", null);
            }
        }

        return new Cassette(fullPath, existed: true, entries);
    }

    public bool TryGet(string key, out CassetteEntry entry)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(key, out entry!);
        }
    }

    /// <summary>Adds or replaces an entry and rewrites the file.</summary>
    public async Task PutAsync(CassetteEntry entry)
    {
        lock (_gate)
        {
            _entries[entry.Key!] = entry;
        }

        // Snapshot inside the write gate, so the last writer always writes every entry added before it.
        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            CassetteDocument document;
            lock (_gate)
            {
                var list = new List<CassetteEntry>(_entries.Values);
                list.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
                document = new CassetteDocument { Version = CurrentVersion, Entries = list };
            }

            await WriteAtomicallyAsync(document).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private Task WriteAtomicallyAsync(CassetteDocument document)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        return AtomicFile.WriteAsync(
            Path,
            (stream, cancellationToken) => JsonSerializer.SerializeAsync(stream, document, CassetteJsonContext.Default.CassetteDocument, cancellationToken),
            CancellationToken.None,
            beforeCommit: BeforeCommit);
    }
}
