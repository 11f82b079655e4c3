using System.Globalization;

namespace LlmOps.RetrievalQuality;

/// <summary>
/// nDCG@k and Recall@k as trec_eval computes them (ndcg_cut, recall): per query, the run is sorted by score
/// descending and, on ties, by document id descending (trec_eval's order, whatever ranks the file says); the gain is
/// the qrels grade; the discount is log2(rank + 1); the ideal DCG uses the query's qrels grades sorted descending.
/// Queries are those of the qrels with at least one relevant document; a query without results scores 0.
/// </summary>
public static class TrecEval
{
    public static Dictionary<string, Dictionary<string, int>> ReadQrels(string path)
    {
        var qrels = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(path))
        {
            string[] f = line.Split('\t');
            if (f.Length < 3 || !int.TryParse(f[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out int grade))
            {
                continue; // the header
            }

            if (!qrels.TryGetValue(f[0], out Dictionary<string, int>? docs))
            {
                qrels[f[0]] = docs = new Dictionary<string, int>(StringComparer.Ordinal);
            }

            docs[f[1]] = grade;
        }

        return qrels;
    }

    public static (double Ndcg, double Recall, int Queries) Score(
        Dictionary<string, Dictionary<string, int>> qrels, Dictionary<string, List<(string DocId, double Score)>> run, int ndcgCut = 10, int recallCut = 100)
    {
        double ndcgSum = 0, recallSum = 0;
        int queries = 0;
        foreach ((string qid, Dictionary<string, int> judged) in qrels)
        {
            int relevant = judged.Values.Count(g => g > 0);
            if (relevant == 0)
            {
                continue;
            }

            queries++;
            if (!run.TryGetValue(qid, out List<(string DocId, double Score)>? hits))
            {
                continue;
            }

            var ordered = hits.OrderByDescending(h => h.Score).ThenByDescending(h => h.DocId, StringComparer.Ordinal).ToList();
            double dcg = 0;
            for (int i = 0; i < Math.Min(ndcgCut, ordered.Count); i++)
            {
                if (judged.TryGetValue(ordered[i].DocId, out int g) && g > 0)
                {
                    dcg += g / Math.Log2(i + 2);
                }
            }

            double idcg = 0;
            int rank = 0;
            foreach (int g in judged.Values.Where(g => g > 0).OrderByDescending(g => g).Take(ndcgCut))
            {
                idcg += g / Math.Log2(rank + 2);
                rank++;
            }

            ndcgSum += dcg / idcg;
            int found = ordered.Take(recallCut).Count(h => judged.TryGetValue(h.DocId, out int g) && g > 0);
            recallSum += (double)found / relevant;
        }

        return queries == 0 ? (0, 0, 0) : (ndcgSum / queries, recallSum / queries, queries);
    }
}
