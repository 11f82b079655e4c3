using System.Globalization;
using LlmOps.Caching;
using LlmOps.Caching.Training;
using LlmOps.Embeddings.MiniLM;

// Usage (from inside the repository):
//   dotnet run --project tools/LlmOps.Caching.Training -c Release -- cv [--verbose] [--kinds]  cross-validation across authors
//   dotnet run --project tools/LlmOps.Caching.Training -c Release -- candidates [--kinds]  the cross-author table of every candidate model
// Options: --model trees|logistic, --guards auto|hard|soft, --trees, --depth, --learning-rate, --lambda, --min-child,
// --different-weight, --target, --lowest, --threshold, --margin, --in-sample, --embeddings FILE (caches the MiniLM vectors).
//   dotnet run --project tools/LlmOps.Caching.Training -c Release -- train [--out FILE] trains on every author, writes the model
//   dotnet run --project tools/LlmOps.Caching.Training -c Release -- measure FILE       a labelled set through the real cache, shipped defaults
//   dotnet run --project tools/LlmOps.Caching.Training -c Release -- vectors [--raw FILE] distils the word-vector table (src/LlmOps/Caching/CacheWordVectors.bin)
//   dotnet run --project tools/LlmOps.Caching.Training -c Release -- relations [--senses N] builds the WordNet relation table
//     (src/LlmOps/Caching/CacheWordRelations.bin) from /usr/share/wordnet (apt-get install -y wordnet-base; --wordnet DIR)
// Data: data/cache-pairs/authors/*/pairs.tsv (label<TAB>kind<TAB>first<TAB>second). Default output:
// src/LlmOps/Caching/CachePairModel.bin. Deterministic: the same data gives the same bytes.
var command = args.Length > 0 ? args[0] : "cv";
var root = CachePairSet.FindRepositoryRoot(Environment.CurrentDirectory);
using var generator = new MiniLmEmbeddingGenerator();

if (command == "measure")
{
    // One labelled set (e.g. the sealed set outside the repository) through SemanticCachingChatClient with its defaults.
    var file = args.Length > 1 ? args[1] : throw new ArgumentException("measure needs the path of a pairs.tsv file.");
    var (figures, rows) = await ServingMeasurement.MeasureAsync(generator, CachePairSet.Load(file, Path.GetFileName(file)));
    Console.WriteLine(Figures.Header);
    Console.WriteLine(figures.Row($"{Path.GetFileName(file)}, shipped defaults"));
    foreach (var group in rows.GroupBy(r => (r.Pair.Same, r.Pair.Kind)).OrderBy(g => g.Key.Same).ThenBy(g => g.Key.Kind, StringComparer.Ordinal))
    {
        Console.WriteLine($"  {(group.Key.Same ? "same" : "different")}/{group.Key.Kind}: served {group.Count(r => r.Served)}/{group.Count()}");
    }

    return 0;
}

if (command == "score")
{
    // Prints the shipped check's logit for "cached<TAB>incoming<TAB>similarity" lines of standard input.
    while (Console.ReadLine() is { } line)
    {
        var parts = line.Split('\t');
        var similarity = float.Parse(parts[2], CultureInfo.InvariantCulture);
        var logit = CachePairModel.Default.Score(SemanticCacheFingerprint.Create(parts[1]), SemanticCacheFingerprint.Create(parts[0]), similarity);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{logit:0.00} (cutoff {CachePairModel.Default.Cutoff:0.00}) {line}"));
    }

    return 0;
}

if (command == "vectors")
{
    // Distils the word-vector table from MiniLM's vocabulary. --raw FILE keeps the 384-dimensional vectors between runs.
    var dimensions = Option("--dimensions") is { } dims ? int.Parse(dims, CultureInfo.InvariantCulture) : WordVectorDistiller.DefaultDimensions;
    var skipTop = Option("--skip-top") is { } skip ? int.Parse(skip, CultureInfo.InvariantCulture) : WordVectorDistiller.DefaultSkipTop;
    var (keys, raw) = await WordVectorDistiller.LoadOrEmbedAsync(generator, args.Contains("--no-word-list") ? null : Option("--words") ?? WordVectorDistiller.DefaultWordList, Option("--raw"), Console.Error.WriteLine);
    var table = WordVectorDistiller.Reduce(keys, raw, dimensions, skipTop, args.Contains("--centre") || (WordVectorDistiller.DefaultCentre && !args.Contains("--no-centre")));
    var output = Option("--out") ?? Path.Combine(root, "src", "LlmOps", "Caching", "CacheWordVectors.bin");
    using (var stream = File.Create(output))
    {
        table.Save(stream);
    }

    Console.WriteLine($"wrote {output}: {table.Count} stems of {table.Dimensions} dimensions ({new FileInfo(output).Length} bytes)");
    foreach (var (x, y) in WordVectorDistiller.Probes)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {x}/{y}: {WordVectorDistiller.ProbeCosine(table, x, y):0.00} (MiniLM {WordVectorDistiller.ProbeCosine(keys, raw, x, y):0.00})"));
    }

    return 0;
}

if (command == "relations")
{
    // Builds the WordNet relation table from Debian's wordnet-base (the library never needs WordNet itself).
    var builder = WordNetRelationsBuilder.Load(Option("--wordnet") ?? WordNetRelationsBuilder.DefaultDirectory);
    if (Option("--senses") is { } senses)
    {
        builder.Senses = int.Parse(senses, CultureInfo.InvariantCulture);
    }

    if (Option("--max-ancestor-stems") is { } maxAncestor)
    {
        builder.MaxAncestorStems = int.Parse(maxAncestor, CultureInfo.InvariantCulture);
    }

    var table = builder.Build(WordVectorDistiller.ReadVocabulary(args.Contains("--no-word-list") ? null : Option("--words") ?? WordVectorDistiller.DefaultWordList));
    var output = Option("--out") ?? Path.Combine(root, "src", "LlmOps", "Caching", "CacheWordRelations.bin");
    using (var stream = File.Create(output))
    {
        table.Save(stream);
    }

    Console.WriteLine($"wrote {output}: {table.Count} stems, {table.ValueCount} values ({new FileInfo(output).Length} bytes), {builder.Senses} senses per base form");
    foreach (var (x, y) in WordNetRelationsBuilder.Probes)
    {
        Console.WriteLine($"  {x}/{y}: {WordNetRelationsBuilder.Probe(table, x, y)}");
    }

    return 0;
}

var trainer = new CachePairTrainer();
Configure(trainer, args);
var labelled = CachePairSet.LoadAuthors(root);
var vectors = await PairScorer.EmbedAsync(generator, labelled, Option("--embeddings"));
var pairs = PairScorer.Score(labelled, vectors);
var unrelated = PairScorer.CrossPairs(labelled, vectors, CrossAuthor.UnrelatedFloor);
if (Option("--drop") is { } drop)
{
    // Ablation: zero the listed features (comma-separated indexes) in every pair before training.
    foreach (var index in drop.Split(',').Select(i => int.Parse(i, CultureInfo.InvariantCulture)))
    {
        foreach (var p in pairs.Concat(unrelated))
        {
            p.Features[index] = 0f;
        }
    }
}

var authors = pairs.Select(p => p.Pair.Author).Distinct().Order(StringComparer.Ordinal).ToList();
Console.Error.WriteLine($"{pairs.Count} pairs from authors {string.Join(", ", authors)}");

if (command == "dump")
{
    // Every pair's similarity, guard verdict and features, for analysis outside the tool. --unrelated adds the questions
    // of different pairs; --verdicts adds the shipped model's score (exact bits) and its verdict with every guard on, to
    // pin them before and after a change that must not change them.
    var verdicts = args.Contains("--verdicts");
    foreach (var p in args.Contains("--unrelated") ? pairs.Concat(unrelated) : pairs)
    {
        var columns = new[] { p.Pair.Author, p.Pair.Same ? "same" : "different", p.Pair.Kind, p.Similarity.ToString("0.0000", CultureInfo.InvariantCulture), p.GuardsPass ? "1" : "0" }
            .Concat(p.Features.Select(f => verdicts ? BitConverter.SingleToInt32Bits(f).ToString(CultureInfo.InvariantCulture) : f.ToString("0.######", CultureInfo.InvariantCulture)));
        if (verdicts)
        {
            var shipped = CachePairModel.Default;
            var verdict = shipped.Check(SemanticCacheFingerprint.Create(p.Pair.Second), SemanticCacheFingerprint.Create(p.Pair.First), p.Similarity, SemanticCacheGuards.All);
            columns = columns.Append(BitConverter.SingleToInt32Bits(shipped.Score(p.Features)).ToString(CultureInfo.InvariantCulture)).Append(verdict.ToString());
        }

        Console.WriteLine(string.Join('\t', columns.Append(p.Pair.First).Append(p.Pair.Second)));
    }

    return 0;
}

if (command == "cv")
{
    CrossAuthor.Run(trainer, pairs, unrelated, args.Contains("--verbose"), args.Contains("--kinds"), Console.Out);
    return 0;
}

if (command == "candidates")
{
    // The cross-author table of every candidate the issue 15 report compares (benchmarks/results/CachePairCheck.md).
    foreach (var (name, setup) in CrossAuthor.Candidates)
    {
        var candidate = new CachePairTrainer();
        setup(candidate);
        Console.WriteLine($"### {name}");
        Console.WriteLine();
        CrossAuthor.Run(candidate, pairs, unrelated, verbose: false, kinds: args.Contains("--kinds"), Console.Out);
        Console.WriteLine();
    }

    return 0;
}

if (command == "train")
{
    var check = trainer.Train(pairs);
    var model = ((TreeScorer)check.Scorer).Model;
    var output = Option("--out") ?? Path.Combine(root, "src", "LlmOps", "Caching", "CachePairModel.bin");
    using (var stream = File.Create(output))
    {
        model.Save(stream);
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {output}: {model.TreeCount} trees of depth {model.Depth}, threshold {check.Threshold:0.00}, cutoff {model.Cutoff:0.000}, hard guards {check.HardGuards}"));
    Console.WriteLine(Figures.Header);
    Console.WriteLine(Figures.Of(pairs, check.Served).Row("training pairs (in-sample)"));
    return 0;
}

Console.Error.WriteLine($"Unknown command '{command}'. Use cv, candidates, train, dump, score, measure, vectors or relations.");
return 1;

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static void Configure(CachePairTrainer trainer, string[] args)
{
    string? Get(string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    float F(string value) => float.Parse(value, CultureInfo.InvariantCulture);
    int I(string value) => int.Parse(value, CultureInfo.InvariantCulture);
    if (Get("--model") is { } kind)
    {
        trainer.Kind = Enum.Parse<PairModelKind>(kind, ignoreCase: true);
    }

    if (Get("--guards") is { } guards)
    {
        trainer.Guards = Enum.Parse<GuardMode>(guards, ignoreCase: true);
    }

    if (Get("--trees") is { } trees)
    {
        trainer.Trees.Trees = I(trees);
    }

    if (Get("--depth") is { } depth)
    {
        trainer.Trees.Depth = I(depth);
    }

    if (Get("--learning-rate") is { } rate)
    {
        trainer.Trees.LearningRate = F(rate);
    }

    if (Get("--lambda") is { } lambda)
    {
        trainer.Trees.Lambda = F(lambda);
    }

    if (Get("--min-child") is { } minChild)
    {
        trainer.Trees.MinChildWeight = F(minChild);
    }

    if (Get("--different-weight") is { } dw)
    {
        trainer.DifferentWeight = F(dw);
    }

    if (Get("--target") is { } target)
    {
        trainer.TargetFalseHitRate = F(target);
    }

    if (Get("--lowest") is { } lowest)
    {
        trainer.LowestThreshold = F(lowest);
    }

    if (Get("--threshold") is { } threshold)
    {
        trainer.FixedThreshold = F(threshold);
    }

    if (Get("--margin") is { } margin)
    {
        trainer.TrainingMargin = F(margin);
    }

    trainer.OutOfFold = !args.Contains("--in-sample");
    trainer.FitGuardRejected |= args.Contains("--fit-all");
}
