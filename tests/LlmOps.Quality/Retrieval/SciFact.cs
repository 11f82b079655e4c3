using System.Text.Json;
using LlmOps.Retrieval;

namespace LlmOps.Quality.Retrieval;

/// <summary>BEIR SciFact, read in place from ../shared/data/scifact (its license forbids copying it into the repository).</summary>
internal static class SciFact
{
    /// <summary>Gets the folder, found by walking up from the test binaries.</summary>
    /// <exception cref="DirectoryNotFoundException">SciFact is not beside the repository.</exception>
    public static string Folder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data", "scifact");
                if (File.Exists(Path.Combine(candidate, "corpus.jsonl")))
                {
                    return candidate;
                }
            }

            throw new DirectoryNotFoundException("SciFact is not in ../shared/data/scifact beside the repository; this check needs it (it is never copied into the repository).");
        }
    }

    /// <summary>The documents as BEIR indexes them: title and text (the index puts the title before each chunk).</summary>
    public static List<RetrievalDocument> Documents(string folder)
    {
        var documents = new List<RetrievalDocument>();
        foreach (var line in File.ReadLines(Path.Combine(folder, "corpus.jsonl")))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var title = root.GetProperty("title").GetString() ?? string.Empty;
            documents.Add(new RetrievalDocument(root.GetProperty("_id").GetString()!, root.GetProperty("text").GetString() ?? string.Empty) { Title = title.Length > 0 ? title : null });
        }

        return documents;
    }

    /// <summary>The claims by id.</summary>
    public static Dictionary<string, string> Queries(string folder)
    {
        var queries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(folder, "queries.jsonl")))
        {
            using var doc = JsonDocument.Parse(line);
            queries[doc.RootElement.GetProperty("_id").GetString()!] = doc.RootElement.GetProperty("text").GetString()!;
        }

        return queries;
    }

    /// <summary>The cited documents of each claim of a split ("train" or "test").</summary>
    public static Dictionary<string, HashSet<string>> Qrels(string folder, string split) =>
        File.ReadLines(Path.Combine(folder, $"qrels-{split}.tsv")).Skip(1)
            .Select(l => l.Split('\t')).GroupBy(p => p[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p[1]).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
}
