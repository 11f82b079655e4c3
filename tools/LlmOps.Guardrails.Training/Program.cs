using System.Diagnostics;
using System.Globalization;
using LlmOps.Guardrails.Injection;
using LlmOps.Guardrails.Training;

// Usage:
//   dotnet run --project tools/LlmOps.Guardrails.Training -c Release -- cv     [--threshold T] [--epochs N] [--lr R] [--l2 L] [--benign-weight W] [--hard-weight W]
//   dotnet run --project tools/LlmOps.Guardrails.Training -c Release -- train  [--threshold T] [--out FILE]
//   dotnet run --project tools/LlmOps.Guardrails.Training -c Release -- cv-public [--folds K] [--source-weights public-deepset=3,...]   (K-fold CV within the public train splits)
//   dotnet run --project tools/LlmOps.Guardrails.Training -c Release -- cv-candidate --candidate subwords,clauses,wide=1024 [--loso] [--grouped] [--dump FILE]   (a candidate reading by CV within train)
//   dotnet run --project tools/LlmOps.Guardrails.Training -c Release -- cv-head [--all] [--head-l2 L] [--dump FILE]   (second stage: band and head threshold by 5-fold CV within train)
//   dotnet run --project tools/LlmOps.Guardrails.Training -c Release -- train-head [--band B] [--head-threshold T] [--out FILE] [--no-cache]
//   dotnet run --project tools/LlmOps.Guardrails.Training -c Release -- public-test [--model FILE] [--dump FILE]   (the public test splits, once)
//   dotnet run --project tools/LlmOps.Guardrails.Training -c Release -- score  < lines.txt
//   dotnet run --project tools/LlmOps.Guardrails.Training -c Release -- pin [--out FILE]   (pins the fast detector's scores on the training corpus)
//   dotnet run --project tools/LlmOps.Guardrails.Training -c Release -- eval   labelled.tsv [...] [--model FILE]   (attack|benign<TAB>text)
// Data: data/guardrails (every set except the sealed ones) and the train splits of ../shared/data/injection (found by
// walking up from the repository root; --public overrides). Default output:
// src/LlmOps/Guardrails/Injection/InjectionModel.bin.
var command = args.Length > 0 ? args[0] : "cv";
if (command == "eval")
{
    // Scores a labelled file (lines "attack<TAB>text" or "benign<TAB>text") with the shipped detector, e.g. a public set
    // kept outside the repository. Prints the rates with 95% Wilson intervals.
    var detector = new LlmOps.Guardrails.Injection.PromptInjectionGuardrail();
    if (Option("--model") is { } modelFile)
    {
        using var stream = File.OpenRead(modelFile);
        detector.LoadTrainedModel(stream);
    }

    var grammar = new LlmOps.Guardrails.Injection.PromptInjectionGuardrail { UseTrainedModel = false };
    foreach (var file in args.Skip(1).Where(a => a.EndsWith(".tsv", StringComparison.Ordinal)))
    {
        var rows = File.ReadLines(file).Select(l => l.Split('\t', 2)).Where(p => p.Length == 2 && p[0] is "attack" or "benign").ToList();
        foreach (var (name, guard) in new[] { ("default detector", detector), ("grammar alone", grammar) })
        {
            foreach (var label in new[] { "attack", "benign" })
            {
                var items = rows.Where(r => r[0] == label).ToList();
                var hits = items.Count(r => guard.Score(r[1].Replace("\\n", "\n", StringComparison.Ordinal)).Score >= guard.Threshold);
                var (share, low, high) = WilsonInterval.Of(hits, items.Count);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {Path.GetFileName(file)} | {name} | {(label == "attack" ? "TPR" : "FPR")} | {hits}/{items.Count} | {share * 100:0.0}% | [{low * 100:0.0}%, {high * 100:0.0}%] |"));
            }
        }
    }

    return 0;
}

if (command == "public-test")
{
    // Scores the public sets' test splits once with the shipped defaults (or --model FILE) and prints the gate table.
    var repository = TrainingCorpus.FindRepositoryRoot(Environment.CurrentDirectory);
    var publicRoot = Option("--public") ?? PublicInjectionData.RequireRoot(repository);
    var detector = new LlmOps.Guardrails.Injection.PromptInjectionGuardrail();
    if (Option("--model") is { } modelFile)
    {
        using var stream = File.OpenRead(modelFile);
        detector.LoadTrainedModel(stream);
    }

    // The shipped defaults: with the MiniLM generator registered, AddGuardrails gives the scanner its second stage
    // (--fast-only scores the fast model alone).
    using var miniLm = new LlmOps.Embeddings.MiniLM.MiniLmEmbeddingGenerator();
    var counting = new CountingEmbeddingGenerator(miniLm);
    if (!args.Contains("--fast-only"))
    {
        detector.SecondStage = new InjectionSecondStage(counting);
    }

    var timer = Stopwatch.StartNew();
    var verdicts = new List<(string Text, bool Detected, int Routed)>();
    var context = new LlmOps.Guardrails.GuardrailContext(LlmOps.Guardrails.GuardrailStage.Input, []);
    var report = PublicTestReport.Score(publicRoot, text =>
    {
        var before = counting.Calls;
        var detected = detector.ScanAsync(text, context, default).AsTask().GetAwaiter().GetResult().Action != LlmOps.Guardrails.GuardrailAction.Allow;
        verdicts.Add((text, detected, counting.Calls - before));
        return detected;
    });
    Console.WriteLine(report.Markdown());
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Second stage consulted for {counting.Calls} of {report.Rows.Count} test rows ({100.0 * counting.Calls / report.Rows.Count:0.0}%): attacks {verdicts.Where((v, i) => report.Rows[i].IsAttack && v.Routed > 0).Count()}, benign {verdicts.Where((v, i) => !report.Rows[i].IsAttack && v.Routed > 0).Count()}."));
    if (Option("--dump") is { } dump)
    {
        // For the error analysis by kind: file, label, verdict and the (escaped) text of every test row, to a file
        // outside the repository (the rows must not be committed).
        File.WriteAllLines(dump, report.Rows.Select((r, i) => $"{r.File}\t{(r.IsAttack ? "attack" : "benign")}\t{(r.Detected ? 1 : 0)}\t{verdicts[i].Routed}\t{verdicts[i].Text.Replace("\n", " ", StringComparison.Ordinal).Replace("\t", " ", StringComparison.Ordinal)}"));
    }
    Console.Error.WriteLine($"{report.Rows.Count} test rows scored in {timer.Elapsed.TotalSeconds:0.0} s");
    return 0;
}

if (command == "pin")
{
    // Writes the fast detector's scores on the training corpus (tests/LlmOps.Quality/Guardrails/InjectionScorePins.tsv),
    // which InjectionScorePinTests compares against: a speed change must leave every verdict and score as it was.
    var repository = TrainingCorpus.FindRepositoryRoot(Environment.CurrentDirectory);
    var corpus = TrainingCorpus.LoadShipped(TrainingCorpus.FindDataRoot(repository), Option("--public") ?? PublicInjectionData.RequireRoot(repository));
    var timer = Stopwatch.StartNew();
    var pins = ScorePins.Compute(corpus);
    var path = Option("--out") ?? Path.Combine(repository, ScorePins.RelativePath);
    File.WriteAllLines(path, pins);
    Console.WriteLine($"Wrote {pins.Length} pins to {path} in {timer.Elapsed.TotalSeconds:0.0} s.");
    return 0;
}

if (command == "score")
{
    // Prints the grammar's and the shipped model's scores for each line of standard input.
    var rulesOnly = new LlmOps.Guardrails.Injection.PromptInjectionGuardrail { UseTrainedModel = false };
    var withModel = new LlmOps.Guardrails.Injection.PromptInjectionGuardrail { GrammarCertainty = double.PositiveInfinity };
    while (Console.ReadLine() is { } line)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"grammar {rulesOnly.Score(line).Score:0.00}  model {withModel.Score(line).Score:0.00}  {line}"));
    }

    return 0;
}

var threshold = Option("--threshold") is { } t ? double.Parse(t, CultureInfo.InvariantCulture) : Defaults.Threshold;
var dataRoot = Option("--data") ?? TrainingCorpus.FindDataRoot(Environment.CurrentDirectory);
var publicData = Option("--public") ?? PublicInjectionData.RequireRoot(TrainingCorpus.FindRepositoryRoot(Environment.CurrentDirectory));
var examples = TrainingCorpus.LoadShipped(dataRoot, publicData);
var clock = Stopwatch.StartNew();
var candidate = Option("--candidate") is { } candidateText ? FeatureCandidate.Parse(candidateText) : null;
var vectors = InjectionModelTrainer.Featurize(examples, candidate);
Console.Error.WriteLine($"{examples.Count} examples featurised in {clock.Elapsed.TotalSeconds:0.0} s");
var trainer = new InjectionModelTrainer();
if (Option("--epochs") is { } epochs)
{
    trainer.Epochs = int.Parse(epochs, CultureInfo.InvariantCulture);
}

if (Option("--lr") is { } rate)
{
    trainer.LearningRate = float.Parse(rate, CultureInfo.InvariantCulture);
}

if (Option("--l2") is { } l2)
{
    trainer.L2 = float.Parse(l2, CultureInfo.InvariantCulture);
}

if (Option("--benign-weight") is { } benignWeight)
{
    trainer.BenignWeight = float.Parse(benignWeight, CultureInfo.InvariantCulture);
}

if (Option("--public-weight") is { } publicWeight)
{
    trainer.PublicWeight = float.Parse(publicWeight, CultureInfo.InvariantCulture);
}

if (Option("--source-weights") is { } sourceWeights)
{
    // e.g. public-deepset=3,public-in=1.5
    foreach (var pair in sourceWeights.Split(','))
    {
        var parts = pair.Split('=');
        trainer.SourceWeights[parts[0]] = float.Parse(parts[1], CultureInfo.InvariantCulture);
    }
}

if (Option("--hard-weight") is { } hardWeight)
{
    trainer.HardWeight = float.Parse(hardWeight, CultureInfo.InvariantCulture);
}

switch (command)
{
    case "cv":
        var scores = CrossValidation.OutOfSourceScores(trainer, examples, vectors);
        Console.WriteLine(CrossValidation.Report(examples, vectors, scores, threshold));
        if (Option("--misses") is { } missesOf)
        {
            // Development aid: the errors on one held-out source (reading them makes that source development data).
            for (var i = 0; i < examples.Count; i++)
            {
                if (examples[i].Source == missesOf && (scores[i] >= threshold) != examples[i].IsAttack)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{examples[i].Kind}\t{examples[i].Family}\t{scores[i]:0.00}\t{examples[i].Text.ReplaceLineEndings(" / ")}"));
                }
            }
        }
        break;
    case "cv-public":
        var folds = Option("--folds") is { } f ? int.Parse(f, CultureInfo.InvariantCulture) : 5;
        var foldScores = CrossValidation.PublicFoldScores(trainer, examples, vectors, folds);
        Console.WriteLine(CrossValidation.PublicReport(examples, vectors, foldScores));
        if (Option("--misses") is { } missesIn)
        {
            // Development aid: the out-of-fold errors of one public source's train split at the threshold. Only for the
            // sources without offensive text (deepset, lakera); the others print indices.
            var printable = missesIn is "public-deepset" or "public-lakera";
            for (var i = 0; i < examples.Count; i++)
            {
                if (examples[i].Source == missesIn && !double.IsNaN(foldScores[i]) && CrossValidation.Detected(examples[i].Text, foldScores[i], vectors[i].RuleScore, threshold) != examples[i].IsAttack)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{examples[i].Kind}\t{foldScores[i]:0.00}\t{(printable ? examples[i].Text.ReplaceLineEndings(" / ") : "#" + i)}"));
                }
            }
        }
        break;
    case "cv-candidate":
    {
        // A candidate reading (--candidate subwords,clauses,wide=1024,wide-min=1024) against the same folds: public
        // 5-fold out-of-fold rates and, with --loso, the author sets' leave-one-source-out rates.
        var candidateFolds = Option("--folds") is { } cf ? int.Parse(cf, CultureInfo.InvariantCulture) : 5;
        var grouped = args.Contains("--grouped");
        var publicScores = CrossValidation.PublicFoldScores(trainer, examples, vectors, candidateFolds, grouped);
        if (grouped)
        {
            var groupFolds = CrossValidation.GroupedFolds(examples, candidateFolds);
            var sizes = Enumerable.Range(0, candidateFolds).Select(k => Enumerable.Range(0, examples.Count).Count(i => groupFolds[i] == k && examples[i].Source == "public-deepset" && examples[i].IsAttack));
            Console.Error.WriteLine($"deepset attacks per grouped fold: {string.Join(", ", sizes)}");
        }

        Console.Error.WriteLine($"public folds in {clock.Elapsed.TotalSeconds:0.0} s");
        var authorScores = args.Contains("--loso") ? CrossValidation.OutOfSourceScores(trainer, examples, vectors) : null;
        Console.WriteLine(CandidateCrossValidation.Report((candidate ?? FeatureCandidate.Shipped).ToString(), examples, vectors, publicScores, authorScores));
        if (Option("--dump") is { } dumpScores)
        {
            // Development aid, written outside the repository: out-of-fold scores per example index (no text).
            File.WriteAllLines(dumpScores, examples.Select((e, i) => string.Create(CultureInfo.InvariantCulture, $"{i}\t{e.Source}\t{e.Kind}\t{publicScores[i]:0.0000}\t{(authorScores is null ? double.NaN : authorScores[i]):0.0000}\t{vectors[i].RuleScore:0.0000}")));
        }

        if (Option("--misses") is { } missesOfCandidate)
        {
            var printable = missesOfCandidate is "public-deepset" or "public-lakera";
            for (var i = 0; i < examples.Count; i++)
            {
                if (examples[i].Source == missesOfCandidate && !double.IsNaN(publicScores[i]) && CrossValidation.Detected(examples[i].Text, publicScores[i], vectors[i].RuleScore, threshold) != examples[i].IsAttack)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{examples[i].Kind}\t{publicScores[i]:0.00}\t{(printable ? examples[i].Text.ReplaceLineEndings(" / ") : "#" + i)}"));
                }
            }
        }

        break;
    }

    case "cv-head":
    {
        // Chooses the second stage's band and head threshold by 5-fold cross-validation within the training corpus.
        var textFolds = examples.Select(e => CrossValidation.FoldOf(e.Text, SecondStageCrossValidation.Folds)).ToArray();
        var fast = SecondStageCrossValidation.FastScores(trainer, examples, vectors, textFolds);
        Console.Error.WriteLine($"out-of-fold fast scores in {clock.Elapsed.TotalSeconds:0.0} s");
        var embeddings = EmbedForHead(examples);
        var head = SecondStageCrossValidation.HeadScores(HeadTrainer(), examples, embeddings, textFolds);
        Console.Error.WriteLine($"out-of-fold head scores in {clock.Elapsed.TotalSeconds:0.0} s");
        var fastOnly = SecondStageCrossValidation.Evaluate(examples, fast, head, 1, 1);
        var grid = SecondStageCrossValidation.Bands
            .SelectMany(b => SecondStageCrossValidation.Thresholds.Select(t => SecondStageCrossValidation.Evaluate(examples, fast, head, b, t))).ToList();
        var chosen = SecondStageCrossValidation.Choose(grid);
        Console.WriteLine(SecondStageCrossValidation.Report(fastOnly, grid, chosen, args.Contains("--all")));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Chosen: band [{chosen.Band}, 0.5), head threshold {chosen.Threshold} (shipped: {Defaults.HeadBandLow}, {Defaults.HeadThreshold})."));
        if (Option("--dump") is { } dumpFile)
        {
            // Development aid, written outside the repository: out-of-fold scores per example index (no text).
            File.WriteAllLines(dumpFile, examples.Select((e, i) => string.Create(CultureInfo.InvariantCulture, $"{i}\t{e.Source}\t{e.Kind}\t{fast[i]:0.0000}\t{head[i]:0.0000}")));
        }

        break;
    }

    case "train-head":
    {
        var embeddings = EmbedForHead(examples);
        var band = Option("--band") is { } b ? double.Parse(b, CultureInfo.InvariantCulture) : Defaults.HeadBandLow;
        var headThreshold = Option("--head-threshold") is { } ht ? double.Parse(ht, CultureInfo.InvariantCulture) : Defaults.HeadThreshold;
        var head = HeadTrainer().Train(examples, embeddings, _ => true, band, headThreshold);
        var headOutput = Save("InjectionHead.bin", head.Save);
        Console.WriteLine($"Wrote {headOutput} ({new FileInfo(headOutput).Length:N0} bytes) from {embeddings.Count(v => v is not null)} embedded examples, band [{band}, 0.5), head threshold {headThreshold}.");
        break;
    }

    case "train":
        var model = trainer.Train(examples, vectors, threshold: threshold);
        var output = Save("InjectionModel.bin", model.Save);
        Console.WriteLine($"Wrote {output} ({new FileInfo(output).Length:N0} bytes) from {examples.Count} examples at threshold {threshold:0.00}.");
        break;
    default:
        Console.Error.WriteLine($"Unknown command '{command}'. Use cv, cv-public, cv-candidate, cv-head, train, train-head, public-test, score or eval.");
        return 2;
}

Console.Error.WriteLine($"done in {clock.Elapsed.TotalSeconds:0.0} s");
return 0;

string Save(string shippedName, Action<Stream> save)
{
    // --out, or the shipped file; written to a temporary file first, so a failed run never leaves half a model.
    var path = Option("--out") ?? Path.Combine(TrainingCorpus.FindRepositoryRoot(Environment.CurrentDirectory), "src", "LlmOps", "Guardrails", "Injection", shippedName);
    var temporary = path + ".tmp";
    using (var file = File.Create(temporary))
    {
        save(file);
    }

    File.Move(temporary, path, overwrite: true);
    return path;
}

float[]?[] EmbedForHead(IReadOnlyList<TrainingExample> corpus)
    => HeadEmbeddings.EmbedCorpus(corpus, args.Contains("--no-cache") ? null : Option("--cache") ?? HeadEmbeddings.DefaultCachePath);

InjectionHeadTrainer HeadTrainer()
{
    var headTrainer = new InjectionHeadTrainer();
    if (Option("--head-l2") is { } headL2)
    {
        headTrainer.L2 = double.Parse(headL2, CultureInfo.InvariantCulture);
    }

    if (Option("--head-steps") is { } headSteps)
    {
        headTrainer.Steps = int.Parse(headSteps, CultureInfo.InvariantCulture);
    }

    return headTrainer;
}

string? Option(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
