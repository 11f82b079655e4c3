using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using LlmOps.Evaluation.Metrics;

namespace LlmOps.Benchmarks;

/// <summary>
/// Sentence-level metrics over 1,000 prediction/reference pairs (Data/evaluation_pairs.tsv, 12–35 words each); each
/// figure is per pair (OperationsPerInvoke = 1,000), so pairs per second = 1 s / Mean. Baseline: the simplest honest
/// BLEU, whitespace tokens and string n-gram keys in dictionaries, no smoothing.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class EvaluationBenchmark
{
    private const int Pairs = 1000;
    private string[] _predictions = [];
    private string[][] _references = [];
    private readonly RougeScorer _rouge = new();
    private readonly RougeScorer _rougeStemmed = new(useStemmer: true);
    private readonly ChrFOptions _chrFPlusPlus = ChrFOptions.ChrFPlusPlus();

    [GlobalSetup]
    public void Setup()
    {
        List<string[]> rows = [.. File.ReadLines(DataPath()).Where(l => !l.StartsWith('#')).Select(l => l.Split('\t'))];
        _predictions = [.. rows.Select(r => r[0])];
        _references = [.. rows.Select(r => r[1..])];
        if (_predictions.Length != Pairs)
        {
            throw new InvalidOperationException($"Expected {Pairs} pairs, found {_predictions.Length}.");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Pairs)]
    public double NaiveStringBleu()
    {
        double sum = 0;
        for (int i = 0; i < Pairs; i++)
        {
            sum += NaiveBleu(_predictions[i], _references[i][0]);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public double SacreBleuSentence()
    {
        double sum = 0;
        for (int i = 0; i < Pairs; i++)
        {
            sum += Bleu.SentenceScore(_predictions[i], _references[i]).Score;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public double ChrFSentence()
    {
        double sum = 0;
        for (int i = 0; i < Pairs; i++)
        {
            sum += ChrF.SentenceScore(_predictions[i], _references[i]);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public double ChrFPlusPlusSentence()
    {
        double sum = 0;
        for (int i = 0; i < Pairs; i++)
        {
            sum += ChrF.SentenceScore(_predictions[i], _references[i], _chrFPlusPlus);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public double Rouge1()
    {
        double sum = 0;
        for (int i = 0; i < Pairs; i++)
        {
            sum += _rouge.Score(_predictions[i], _references[i][0], RougeType.Rouge1).FMeasure;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public double Rouge2()
    {
        double sum = 0;
        for (int i = 0; i < Pairs; i++)
        {
            sum += _rouge.Score(_predictions[i], _references[i][0], RougeType.Rouge2).FMeasure;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public double RougeL()
    {
        double sum = 0;
        for (int i = 0; i < Pairs; i++)
        {
            sum += _rouge.Score(_predictions[i], _references[i][0], RougeType.RougeL).FMeasure;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public double RougeLStemmed()
    {
        double sum = 0;
        for (int i = 0; i < Pairs; i++)
        {
            sum += _rougeStemmed.Score(_predictions[i], _references[i][0], RougeType.RougeL).FMeasure;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public double RougeAllFourStemmed()
    {
        double sum = 0;
        for (int i = 0; i < Pairs; i++)
        {
            sum += _rougeStemmed.ScoreAll(_predictions[i], _references[i][0]).RougeLsum.FMeasure;
        }

        return sum;
    }

    private static double NaiveBleu(string hypothesis, string reference)
    {
        string[] h = hypothesis.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string[] r = reference.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        double logSum = 0;
        for (int n = 1; n <= 4; n++)
        {
            var refCounts = new Dictionary<string, int>();
            for (int i = 0; i + n <= r.Length; i++)
            {
                string key = string.Join(' ', r, i, n);
                refCounts[key] = refCounts.GetValueOrDefault(key) + 1;
            }

            int match = 0;
            int total = 0;
            for (int i = 0; i + n <= h.Length; i++)
            {
                string key = string.Join(' ', h, i, n);
                total++;
                if (refCounts.TryGetValue(key, out int c) && c > 0)
                {
                    refCounts[key] = c - 1;
                    match++;
                }
            }

            logSum += Math.Log(Math.Max(match, 1e-9) / Math.Max(total, 1));
        }

        double bp = h.Length >= r.Length ? 1 : Math.Exp(1 - ((double)r.Length / Math.Max(h.Length, 1)));
        return 100 * bp * Math.Exp(logSum / 4);
    }

    private static string DataPath([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Data", "evaluation_pairs.tsv");
}
