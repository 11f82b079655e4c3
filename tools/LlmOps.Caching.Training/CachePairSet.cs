namespace LlmOps.Caching.Training;

/// <summary>One labelled question pair from an author's <c>pairs.tsv</c>.</summary>
/// <param name="Author">The author's folder name (a, b, d, …) or the file name for a set outside the repository.</param>
/// <param name="Kind">The author's tag for the kind of difference or paraphrase.</param>
/// <param name="First">The question asked first (cached).</param>
/// <param name="Second">The question asked next.</param>
/// <param name="Same">Whether one answer serves both.</param>
internal sealed record LabelledPair(string Author, string Kind, string First, string Second, bool Same);

/// <summary>Loads the authors' pair sets (<c>data/cache-pairs/authors/*/pairs.tsv</c>).</summary>
internal static class CachePairSet
{
    /// <summary>Finds the repository root (the folder that holds <c>LlmOps.sln</c>) by walking up from <paramref name="start"/>.</summary>
    public static string FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LlmOps.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No LlmOps.sln above '{start}'. Run the tool from inside the repository.");
    }

    /// <summary>Loads every author's set under <c>data/cache-pairs/authors</c>, authors in name order.</summary>
    public static IReadOnlyList<LabelledPair> LoadAuthors(string repositoryRoot)
    {
        var root = Path.Combine(repositoryRoot, "data", "cache-pairs", "authors");
        var pairs = new List<LabelledPair>();
        foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var file = Path.Combine(dir, "pairs.tsv");
            if (File.Exists(file))
            {
                pairs.AddRange(Load(file, Path.GetFileName(dir)));
            }
        }

        return pairs;
    }

    /// <summary>Loads one <c>label&lt;TAB&gt;kind&lt;TAB&gt;first&lt;TAB&gt;second</c> file with a header line.</summary>
    public static IReadOnlyList<LabelledPair> Load(string file, string author)
    {
        var pairs = new List<LabelledPair>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(file))
        {
            lineNumber++;
            if (lineNumber == 1 || line.Length == 0)
            {
                continue;
            }

            var parts = line.Split('\t');
            if (parts.Length != 4 || parts[0] is not ("same" or "different"))
            {
                throw new InvalidDataException($"{file}:{lineNumber}: expected same|different<TAB>kind<TAB>first<TAB>second.");
            }

            pairs.Add(new LabelledPair(author, parts[1], parts[2], parts[3], parts[0] == "same"));
        }

        return pairs;
    }
}
