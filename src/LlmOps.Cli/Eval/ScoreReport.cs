using LlmOps.Evaluation.Metrics;

namespace LlmOps.Cli.Eval;

/// <summary>Corpus-level and per-line scores of one <c>eval score</c> run.</summary>
internal sealed class ScoreReport
{
    public required IReadOnlyList<ScoreMetric> Metrics { get; init; }

    /// <summary>Corpus-level BLEU, chrF and chrF++ (0–100), for those asked for.</summary>
    public required IReadOnlyDictionary<ScoreMetric, double> Corpus { get; init; }

    public required IReadOnlyList<ScoreReportItem> Items { get; init; }

    public static ScoreReport Compute(IReadOnlyList<ScoreLine> lines, IReadOnlyList<ScoreMetric> metrics, bool stem, CancellationToken cancellationToken)
    {
        var rouge = new RougeScorer(stem);
        ChrFOptions plusPlus = ChrFOptions.ChrFPlusPlus();
        var items = new List<ScoreReportItem>(lines.Count);
        foreach (ScoreLine line in lines)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var values = new Dictionary<ScoreMetric, object>();
            foreach (ScoreMetric metric in metrics)
            {
                values[metric] = metric switch
                {
                    ScoreMetric.Bleu => Bleu.SentenceScore(line.Prediction, line.References).Score,
                    ScoreMetric.ChrF => ChrF.SentenceScore(line.Prediction, line.References),
                    ScoreMetric.ChrFPlusPlus => ChrF.SentenceScore(line.Prediction, line.References, plusPlus),
                    ScoreMetric.Rouge1 => rouge.Score(line.Prediction, line.References[0], RougeType.Rouge1),
                    ScoreMetric.Rouge2 => rouge.Score(line.Prediction, line.References[0], RougeType.Rouge2),
                    ScoreMetric.RougeL => rouge.Score(line.Prediction, line.References[0], RougeType.RougeL),
                    ScoreMetric.RougeLsum => rouge.Score(line.Prediction, line.References[0], RougeType.RougeLsum),
                    ScoreMetric.ExactMatch => SquadAnswerMetrics.ExactMatch(line.Prediction, line.References),
                    ScoreMetric.TokenF1 => SquadAnswerMetrics.TokenF1(line.Prediction, line.References),
                    _ => throw new InvalidOperationException($"Unhandled metric {metric}."),
                };
            }

            items.Add(new ScoreReportItem(line.Line, values));
        }

        var corpus = new Dictionary<ScoreMetric, double>();
        string[] hypotheses = [.. lines.Select(l => l.Prediction)];
        IReadOnlyList<string>[] references = [.. lines.Select(l => l.References)];
        foreach (ScoreMetric metric in metrics)
        {
            switch (metric)
            {
                case ScoreMetric.Bleu:
                    corpus[metric] = Bleu.CorpusScore(hypotheses, references).Score;
                    break;
                case ScoreMetric.ChrF:
                    corpus[metric] = ChrF.CorpusScore(hypotheses, references);
                    break;
                case ScoreMetric.ChrFPlusPlus:
                    corpus[metric] = ChrF.CorpusScore(hypotheses, references, plusPlus);
                    break;
            }
        }

        return new ScoreReport { Metrics = metrics, Corpus = corpus, Items = items };
    }
}
