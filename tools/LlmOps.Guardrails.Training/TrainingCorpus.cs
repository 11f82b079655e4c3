namespace LlmOps.Guardrails.Training;

/// <summary>
/// The labelled sets the shipped injection model is trained on, read from <c>data/guardrails</c> at the repository root.
/// Every set that is not sealed for evaluation is training data; <see cref="SealedSets"/> never are.
/// </summary>
internal static class TrainingCorpus
{
    /// <summary>The sets kept out of training: the final, unseen evaluation.</summary>
    public static readonly IReadOnlyList<string> SealedSets = ["blind4"];

    /// <summary>Finds the data folder (<c>data/guardrails</c>) by walking up from <paramref name="start"/> to the repository root.</summary>
    /// <param name="start">A folder inside the repository.</param>
    /// <returns>The data folder.</returns>
    public static string FindDataRoot(string start) => Path.Combine(FindRepositoryRoot(start), "data", "guardrails");

    /// <summary>Finds the repository root (the folder that holds <c>LlmOps.sln</c>) by walking up from <paramref name="start"/>.</summary>
    /// <param name="start">A folder inside the repository.</param>
    /// <returns>The repository root.</returns>
    public static string FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LlmOps.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No LlmOps.sln above '{start}'. Run the tool from inside the repository or pass --data <folder> (and --out <file> for train).");
    }

    /// <summary>Loads every training set.</summary>
    /// <param name="dataRoot">The data folder.</param>
    /// <returns>The examples, in a stable order.</returns>
    public static IReadOnlyList<TrainingExample> Load(string dataRoot)
    {
        var examples = new List<TrainingExample>();

        // The generated sets (tune and held-out splits share a generator, so they are one source).
        foreach (var split in new[] { "tune", "heldout" })
        {
            AddSet(examples, "generated", dataRoot, $"injection_{split}.tsv", $"injection_obfuscated_{split}.tsv", $"benign_{split}.txt", $"hard_negatives_{split}.txt");
        }

        // The hand-written blind sets 1-3 (development data since they were measured and read).
        foreach (var set in new[] { "blind", "blind2", "blind3" })
        {
            AddSet(examples, set, Path.Combine(dataRoot, set), $"injection_{set}.tsv", $"injection_obfuscated_{set}.tsv", $"benign_{set}.txt", $"hard_negatives_{set}.txt");
        }

        // The training-only sets, one folder per author.
        var train = Path.Combine(dataRoot, "train");
        if (Directory.Exists(train))
        {
            foreach (var author in Directory.GetDirectories(train).Order(StringComparer.Ordinal))
            {
                var name = "train-" + Path.GetFileName(author);
                AddSet(examples, name, author, "attacks.tsv", null, "benign.txt", "hard_negatives.txt");
            }
        }

        return examples;
    }

    /// <summary>
    /// The shipped model's corpus: every training set of <paramref name="dataRoot"/> with its synthetic long texts
    /// (<see cref="Augment"/>), then the <c>train</c> splits of the public sets in <paramref name="publicRoot"/>
    /// (<see cref="PublicInjectionData"/>; their <c>test</c> splits are never read here).
    /// </summary>
    /// <param name="dataRoot">The data folder (<c>data/guardrails</c>).</param>
    /// <param name="publicRoot">The public sets' folder (<c>shared/data/injection</c>).</param>
    /// <returns>The examples, in a stable order.</returns>
    public static IReadOnlyList<TrainingExample> LoadShipped(string dataRoot, string publicRoot)
    {
        var examples = new List<TrainingExample>(Augment(Load(dataRoot), Defaults.AugmentationSeed));
        examples.AddRange(LoadPublic(publicRoot, train: true));
        return examples;
    }

    /// <summary>Loads one split of the public sets, one source per file (<see cref="PublicInjectionData.SourceOf"/>).</summary>
    /// <param name="publicRoot">The public sets' folder.</param>
    /// <param name="train">The <c>train</c> split when <see langword="true"/>, else the <c>test</c> split.</param>
    /// <returns>The examples, in file order.</returns>
    public static IReadOnlyList<TrainingExample> LoadPublic(string publicRoot, bool train)
    {
        var examples = new List<TrainingExample>();
        foreach (var file in PublicInjectionData.Files)
        {
            var source = PublicInjectionData.SourceOf(file);
            foreach (var (isAttack, isTrain, text) in PublicInjectionData.Rows(publicRoot, file))
            {
                if (isTrain == train)
                {
                    examples.Add(new(source, isAttack ? "attack" : "benign", isAttack ? "public" : "", text));
                }
            }
        }

        return examples;
    }

    /// <summary>Gets a value indicating whether a source is one of the public sets.</summary>
    /// <param name="source">The source name.</param>
    /// <returns>Whether it is public.</returns>
    public static bool IsPublic(string source) => source.StartsWith("public-", StringComparison.Ordinal);

    /// <summary>
    /// Adds synthetic long texts to each source, so that length and ordinary document content are never evidence on
    /// their own: benign documents made of 3-8 of the source's benign prompts (kind <c>augmented-benign</c>), and the
    /// same kind of document with one of the source's attacks inserted between two prompts (kind
    /// <c>augmented-attack</c>), as an indirect injection would be. One of each per four originals; deterministic.
    /// </summary>
    /// <param name="examples">The corpus.</param>
    /// <param name="seed">The random seed.</param>
    /// <returns>The corpus followed by the synthetic examples.</returns>
    public static IReadOnlyList<TrainingExample> Augment(IReadOnlyList<TrainingExample> examples, int seed)
    {
        var random = new Random(seed);
        var result = new List<TrainingExample>(examples);
        foreach (var source in examples.Select(e => e.Source).Distinct(StringComparer.Ordinal))
        {
            var benign = examples.Where(e => e.Source == source && e.Kind == "benign").Select(e => e.Text).ToArray();
            var attacks = examples.Where(e => e.Source == source && e.Kind == "attack").ToArray();
            if (benign.Length < 8)
            {
                continue;
            }

            string Document(int parts) => string.Join(random.Next(2) == 0 ? " " : "\n\n", Enumerable.Range(0, parts).Select(_ => benign[random.Next(benign.Length)]));
            for (var i = 0; i < benign.Length / 4; i++)
            {
                result.Add(new(source, "augmented-benign", "", Document(random.Next(3, 9))));
            }

            for (var i = 0; i < attacks.Length / 4; i++)
            {
                var attack = attacks[random.Next(attacks.Length)];
                var before = Document(random.Next(1, 4));
                var after = Document(random.Next(1, 4));
                result.Add(new(source, "augmented-attack", attack.Family, before + "\n\n" + attack.Text + "\n\n" + after));
            }
        }

        return result;
    }

    private static void AddSet(List<TrainingExample> examples, string source, string folder, string attacks, string? obfuscated, string benign, string hard)
    {
        // A folder of your own data need not have every set of the repository's layout: absent sets are skipped.
        if (!File.Exists(Path.Combine(folder, benign)))
        {
            return;
        }

        foreach (var fields in File.Exists(Path.Combine(folder, attacks)) ? Rows(Path.Combine(folder, attacks)) : [])
        {
            examples.Add(new(source, "attack", fields.Length > 1 ? fields[0] : "", fields[^1]));
        }

        if (obfuscated is not null && File.Exists(Path.Combine(folder, obfuscated)))
        {
            foreach (var fields in Rows(Path.Combine(folder, obfuscated)))
            {
                examples.Add(new(source, "obfuscated", fields.Length > 2 ? fields[1] : "", fields[^1]));
            }
        }

        foreach (var fields in Rows(Path.Combine(folder, benign)))
        {
            examples.Add(new(source, "benign", "", fields[^1]));
        }

        foreach (var fields in File.Exists(Path.Combine(folder, hard)) ? Rows(Path.Combine(folder, hard)) : [])
        {
            examples.Add(new(source, "hard", "", fields[^1]));
        }
    }

    private static IEnumerable<string[]> Rows(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Training file '{path}' is missing.", path);
        }

        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var fields = line.Split('\t');
            fields[^1] = fields[^1].Replace("\\n", "\n", StringComparison.Ordinal);
            yield return fields;
        }
    }
}
