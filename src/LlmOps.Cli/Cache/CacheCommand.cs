using System.CommandLine;
using System.Globalization;
using LlmOps.Caching;
using LlmOps.Embeddings.MiniLM;
using Microsoft.Extensions.AI;
using Spectre.Console;

namespace LlmOps.Cli.Cache;

/// <summary><c>llmops cache calibrate</c>: the semantic cache's similarity threshold from labelled pairs, with the local MiniLM model.</summary>
internal static class CacheCommand
{
    private static readonly string[] SameLabels = ["1", "true", "same", "match", "yes"];
    private static readonly string[] DifferentLabels = ["0", "false", "different", "nomatch", "no"];

    public static Command Create(CliContext context, Func<IEmbeddingGenerator<string, Embedding<float>>>? generator = null)
    {
        var cache = new Command("cache", "Semantic cache tools.");
        cache.Add(Calibrate(context, generator ?? (() => new MiniLmEmbeddingGenerator())));
        return cache;
    }

    private static Command Calibrate(CliContext context, Func<IEmbeddingGenerator<string, Embedding<float>>> createGenerator)
    {
        var file = new Argument<string>("PAIRS") { Description = "A TSV of labelled question pairs: 'first<TAB>second<TAB>label', label 1/same (one answer serves both) or 0/different; '#' lines are comments; '-' reads standard input." };
        var precision = new Option<double>("--precision") { Description = "The precision to keep (true hits over all hits), in (0, 1].", DefaultValueFactory = _ => 1.0 };
        var noGuards = new Option<bool>("--no-guards") { Description = "Calibrate without the false-hit guards (polarity, numbers, quoted strings, entities)." };
        var json = new Option<bool>("--json") { Description = "Write JSON for scripts instead of a table." };
        var command = new Command("calibrate", "Choose the semantic cache's similarity threshold from labelled pairs with the local all-MiniLM-L6-v2 model (offline), and print the precision/recall curve.") { file, precision, noGuards, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string path = parse.GetValue(file)!;
            double target = parse.GetValue(precision);
            if (!(target > 0 && target <= 1))
            {
                throw new CliException(ExitCodes.UsageError, $"--precision must be in (0, 1]; was {target.ToString(CultureInfo.InvariantCulture)}. Use for example --precision 0.99.");
            }

            List<SemanticCachePair> pairs = Parse(await context.ReadInputAsync(path, "pairs file", cancellationToken).ConfigureAwait(false), path);
            int same = pairs.Count(p => p.ShouldMatch);
            if (same == 0 || same == pairs.Count)
            {
                throw new CliException(ExitCodes.InputError, $"{path} has {same} 'same' pairs and {pairs.Count - same} 'different' pairs; calibration needs both. Add the missing kind.");
            }

            SemanticCacheGuards guards = parse.GetValue(noGuards) ? SemanticCacheGuards.None : SemanticCacheGuards.All;
            using IEmbeddingGenerator<string, Embedding<float>> generator = createGenerator();
            IReadOnlyList<ScoredCachePair> scored = await SemanticCacheCalibrator.ScoreAsync(generator, pairs, guards, cancellationToken).ConfigureAwait(false);
            ThresholdCalibration chosen = SemanticCacheCalibrator.CalibrateThreshold(scored, target);
            var curve = new List<CurvePoint>();
            for (int step = 10; step <= 20; step++)
            {
                curve.Add(Point(scored, step / 20f));
            }

            if (parse.GetValue(json))
            {
                await CliJson.WriteAsync(context, new
                {
                    threshold = chosen.Threshold,
                    precision = chosen.Precision,
                    recall = chosen.HitRate,
                    chosen.TruePositives,
                    chosen.FalsePositives,
                    chosen.Positives,
                    chosen.Negatives,
                    chosen.RejectedByGuards,
                    guards = guards.ToString(),
                    curve,
                }).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns(new TableColumn("Threshold").RightAligned(), new TableColumn("Precision").RightAligned(), new TableColumn("Recall (hit rate)").RightAligned(), new TableColumn("False hits").RightAligned());
            foreach (CurvePoint p in curve)
            {
                table.AddRow(F(p.Threshold), F(p.Precision), F(p.Recall), p.FalseHits.ToString(CultureInfo.InvariantCulture));
            }

            context.Console.Write(table);
            context.Console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"Threshold [bold]{chosen.Threshold:0.0000}[/] keeps precision {chosen.Precision:0.000} (target {target:0.###}) with recall {chosen.HitRate:0.000} ({chosen.TruePositives}/{chosen.Positives} same pairs hit, {chosen.FalsePositives}/{chosen.Negatives} false hits, {chosen.RejectedByGuards} near misses stopped by the guards)."));
            context.Console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"Set SemanticCacheOptions.SimilarityThreshold = {chosen.Threshold:0.0000}f and keep the pairs as a regression test."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static CurvePoint Point(IReadOnlyList<ScoredCachePair> scored, float threshold)
    {
        int tp = 0, fp = 0, positives = 0;
        foreach (ScoredCachePair p in scored)
        {
            positives += p.ShouldMatch ? 1 : 0;
            if (p.GuardsPassed && p.Similarity >= threshold)
            {
                tp += p.ShouldMatch ? 1 : 0;
                fp += p.ShouldMatch ? 0 : 1;
            }
        }

        return new CurvePoint(threshold, tp + fp == 0 ? 1 : (double)tp / (tp + fp), positives == 0 ? 0 : (double)tp / positives, fp);
    }

    private static List<SemanticCachePair> Parse(string text, string source)
    {
        var pairs = new List<SemanticCachePair>();
        int number = 0;
        foreach (string raw in text.Split('\n'))
        {
            number++;
            string line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            string[] fields = line.Split('\t');
            string label = fields.Length == 3 ? fields[2].Trim().ToLowerInvariant() : string.Empty;
            bool? same = SameLabels.Contains(label) ? true : DifferentLabels.Contains(label) ? false : null;
            if (same is null || fields[0].Trim().Length == 0 || fields[1].Trim().Length == 0)
            {
                throw new CliException(ExitCodes.InputError, $"{source}:{number}: expected 'first<TAB>second<TAB>label' with label 1/same or 0/different.");
            }

            pairs.Add(new SemanticCachePair(fields[0].Trim(), fields[1].Trim(), same.Value));
        }

        return pairs;
    }

    private static string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>Precision and recall at one threshold.</summary>
    internal sealed record CurvePoint(float Threshold, double Precision, double Recall, int FalseHits);
}
