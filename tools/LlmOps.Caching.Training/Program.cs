using System.Globalization;
using LlmOps.Caching;
using LlmOps.Caching.Training;
using LlmOps.Embeddings.MiniLM;

// Usage (from inside the repository):
//   dotnet run --project tools/LlmOps.Caching.Training -c Release -- cv [--verbose]    cross-validation across authors
//   dotnet run --project tools/LlmOps.Caching.Training -c Release -- train [--out FILE] trains on every author, writes the model
//   dotnet run --project tools/LlmOps.Caching.Training -c Release -- measure FILE       a labelled set through the real cache, shipped defaults
//   dotnet run --project tools/LlmOps.Caching.Training -c Release -- vectors [--raw FILE] distils the word-vector table (src/LlmOps/Caching/CacheWordVectors.bin)
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

var trainer = new CachePairTrainer();
if (Option("--epochs") is { } epochs)
{
    trainer.Epochs = int.Parse(epochs, CultureInfo.InvariantCulture);
}

if (Option("--l2") is { } l2)
{
    trainer.L2 = float.Parse(l2, CultureInfo.InvariantCulture);
}

if (Option("--different-weight") is { } dw)
{
    trainer.DifferentWeight = float.Parse(dw, CultureInfo.InvariantCulture);
}

trainer.HardGuards = !args.Contains("--soft-guards");
if (Option("--floor") is { } floor)
{
    trainer.SimilarityFloor = float.Parse(floor, CultureInfo.InvariantCulture);
}

if (Option("--threshold") is { } fixedThreshold)
{
    trainer.FixedThreshold = float.Parse(fixedThreshold, CultureInfo.InvariantCulture);
}

if (Option("--target") is { } target)
{
    trainer.TargetFalseHitRate = double.Parse(target, CultureInfo.InvariantCulture);
}

var pairs = await PairScorer.ScoreAsync(generator, CachePairSet.LoadAuthors(root));
var authors = pairs.Select(p => p.Pair.Author).Distinct().Order(StringComparer.Ordinal).ToList();
Console.Error.WriteLine($"{pairs.Count} pairs from authors {string.Join(", ", authors)}");

if (command == "dump")
{
    // Every pair's similarity, guard verdict and features, for analysis outside the tool.
    foreach (var p in pairs)
    {
        Console.WriteLine(string.Join('\t', new[] { p.Pair.Author, p.Pair.Same ? "same" : "different", p.Pair.Kind, p.Similarity.ToString("0.0000", CultureInfo.InvariantCulture), p.GuardsPass ? "1" : "0" }
            .Concat(p.Features.Select(f => f.ToString("0.###", CultureInfo.InvariantCulture))).Append(p.Pair.First).Append(p.Pair.Second)));
    }

    return 0;
}

if (command == "cv")
{
    var verbose = args.Contains("--verbose");
    Console.WriteLine(Figures.Header);
    var pooled = new Figures(0, 0, 0, 0);
    foreach (var held in authors)
    {
        var train = pairs.Where(p => p.Pair.Author != held).ToList();
        var test = pairs.Where(p => p.Pair.Author == held).ToList();
        var others = string.Join("+", authors.Where(a => a != held));
        Console.WriteLine(Figures.Of(test, p => p.GuardsPass && p.Similarity >= 0.84f).Row($"{held}: threshold 0.84 + lexical guards (before)"));
        var weights = trainer.Fit(train);
        var (threshold, cutoff) = trainer.ChooseOperatingPoint(train, weights);
        var model = new CachePairModel(weights, cutoff);
        var heldFigures = Figures.Of(test, p => trainer.Served(p, threshold, model));
        pooled = new Figures(pooled.FalseHits + heldFigures.FalseHits, pooled.Different + heldFigures.Different, pooled.ParaphraseHits + heldFigures.ParaphraseHits, pooled.Same + heldFigures.Same);
        Console.WriteLine(heldFigures.Row(string.Create(CultureInfo.InvariantCulture, $"{held}: trained on {others} (threshold {threshold:0.00}, cutoff {cutoff:0.00})")));
        if (verbose)
        {
            foreach (var p in test)
            {
                var served = trainer.Served(p, threshold, model);
                if (served != p.Pair.Same)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"    {(p.Pair.Same ? "MISSED" : "FALSE HIT")} {p.Pair.Kind} sim {p.Similarity:0.000} guards {(p.GuardsPass ? "pass" : "reject")} logit {model.Score(p.Features):0.00}: {p.Pair.First} | {p.Pair.Second}"));
                }
            }
        }
    }

    Console.WriteLine(pooled.Row("pooled: each author unseen"));
    return 0;
}

if (command == "train")
{
    var weights = trainer.Fit(pairs);
    var (threshold, cutoff) = trainer.ChooseOperatingPoint(pairs, weights);
    var model = new CachePairModel(weights, cutoff);
    var output = Option("--out") ?? Path.Combine(root, "src", "LlmOps", "Caching", "CachePairModel.bin");
    using (var stream = File.Create(output))
    {
        model.Save(stream);
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {output}: threshold {threshold:0.00}, cutoff {cutoff:0.000}"));
    Console.WriteLine(Figures.Header);
    Console.WriteLine(Figures.Of(pairs, p => trainer.Served(p, threshold, model)).Row("training pairs (in-sample)"));
    for (var k = 0; k < weights.Length; k++)
    {
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  w[{k}] = {weights[k]:0.000}"));
    }

    return 0;
}

Console.Error.WriteLine($"Unknown command '{command}'. Use cv, train or measure.");
return 1;

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
