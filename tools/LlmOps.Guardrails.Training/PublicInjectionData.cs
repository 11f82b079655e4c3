using System.Text;

namespace LlmOps.Guardrails.Training;

/// <summary>
/// The public, human-written injection sets kept outside the repository in <c>shared/data/injection</c> (five TSV files of
/// <c>label&lt;TAB&gt;split&lt;TAB&gt;text</c>; their README and SOURCE describe them). Only their <c>train</c> splits are
/// training data; their <c>test</c> splits are scored once, with the shipped defaults. Rows are never copied into the
/// repository: the tool and the quality tests read them in place.
/// </summary>
internal static class PublicInjectionData
{
    /// <summary>The files, in the order they are read (the order is part of what makes training reproducible).</summary>
    public static readonly IReadOnlyList<string> Files =
    [
        "deepset_prompt_injections.tsv",
        "lakera_gandalf_ignore_instructions.tsv",
        "in_the_wild_jailbreak_prompts.tsv",
        "jackhhao_jailbreak_classification.tsv",
        "awesome_chatgpt_prompts.tsv",
    ];

    /// <summary>Finds <c>shared/data/injection</c> by walking up from the repository root.</summary>
    /// <param name="repositoryRoot">The repository root.</param>
    /// <returns>The folder, or <see langword="null"/> when no ancestor holds it.</returns>
    public static string? FindRoot(string repositoryRoot)
    {
        for (var dir = new DirectoryInfo(repositoryRoot); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "injection");
            if (File.Exists(Path.Combine(candidate, Files[0])))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Finds the folder or says plainly that it is missing.</summary>
    /// <param name="repositoryRoot">The repository root.</param>
    /// <returns>The folder.</returns>
    /// <exception cref="DirectoryNotFoundException">No ancestor of the repository root holds <c>shared/data/injection</c>.</exception>
    public static string RequireRoot(string repositoryRoot)
        => FindRoot(repositoryRoot) ?? throw new DirectoryNotFoundException(
            $"The public injection sets (shared/data/injection/{Files[0]} and the others) are not in any folder above '{repositoryRoot}'. " +
            "The shipped model is trained on them as well as on data/guardrails; put the folder next to the repository or pass --public <folder>.");

    /// <summary>Reads the rows of one file.</summary>
    /// <param name="root">The folder.</param>
    /// <param name="file">The file name.</param>
    /// <returns>The rows, in file order.</returns>
    /// <exception cref="InvalidDataException">A row is not <c>attack|benign TAB train|test TAB text</c>.</exception>
    public static IEnumerable<(bool IsAttack, bool IsTrain, string Text)> Rows(string root, string file)
    {
        var path = Path.Combine(root, file);
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            if (number++ == 0 || line.Length == 0)
            {
                continue; // header
            }

            var first = line.IndexOf('\t', StringComparison.Ordinal);
            var second = first < 0 ? -1 : line.IndexOf('\t', first + 1);
            var label = first < 0 ? "" : line[..first];
            var split = second < 0 ? "" : line[(first + 1)..second];
            if (label is not ("attack" or "benign") || split is not ("train" or "test"))
            {
                throw new InvalidDataException($"{path}, line {number}: expected 'attack|benign<TAB>train|test<TAB>text'.");
            }

            yield return (label == "attack", split == "train", Unescape(line.AsSpan(second + 1)));
        }
    }

    /// <summary>The source name of a file in the training corpus (<c>public-deepset</c>, ...).</summary>
    /// <param name="file">The file name.</param>
    /// <returns>The source name.</returns>
    public static string SourceOf(string file) => "public-" + file[..file.IndexOf('_', StringComparison.Ordinal)];

    /// <summary>Decodes the files' escapes (<c>\\</c>, <c>\t</c>, <c>\n</c>) in one pass from left to right.</summary>
    /// <param name="text">The stored text.</param>
    /// <returns>The text.</returns>
    public static string Unescape(ReadOnlySpan<char> text)
    {
        if (!text.Contains('\\'))
        {
            return text.ToString();
        }

        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                var next = text[++i];
                result.Append(next switch { 'n' => '\n', 't' => '\t', _ => next });
            }
            else
            {
                result.Append(text[i]);
            }
        }

        return result.ToString();
    }
}
