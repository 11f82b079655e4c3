using System.Text.Json;
using LlmOps.Retrieval;
using Xunit.Abstractions;

namespace LlmOps.Quality.Retrieval;

/// <summary>
/// Issue 18, refusal: on SciFact (read from ../shared/data/scifact, never copied), how often the grounding stage's
/// default relevance rule refuses when the answer is in the corpus (the claim's cited abstracts are retrievable) and when
/// it is not (the same retrieval with the cited abstracts removed). Tuned on nothing; the train split is printed for
/// calibration and the test split is the reported figure.
/// </summary>
public sealed class GroundingRefusalQualityTests(ITestOutputHelper output)
{
    [Fact]
    public async Task DefaultRelevanceRule_SciFact_RefusesMoreOftenWhenTheAnswerIsAbsent()
    {
        var folder = FindSciFact();
        using var index = new DocumentIndex();
        var documents = new List<RetrievalDocument>();
        foreach (var line in File.ReadLines(Path.Combine(folder, "corpus.jsonl")))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var title = root.GetProperty("title").GetString() ?? string.Empty;
            documents.Add(new RetrievalDocument(root.GetProperty("_id").GetString()!, title + "\n" + root.GetProperty("text").GetString()) { Title = title });
        }

        await index.IngestAsync(documents);
        var queries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(folder, "queries.jsonl")))
        {
            using var doc = JsonDocument.Parse(line);
            queries[doc.RootElement.GetProperty("_id").GetString()!] = doc.RootElement.GetProperty("text").GetString()!;
        }

        var retriever = new Bm25Retriever(index);
        var options = new GroundingOptions();
        var scorer = GroundednessScorer.Default;
        var rates = new Dictionary<string, (double Present, double Absent)>();
        foreach (var split in new[] { "train", "test" })
        {
            var relevant = File.ReadLines(Path.Combine(folder, $"qrels-{split}.tsv")).Skip(1)
                .Select(l => l.Split('\t')).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Select(p => p[1]).ToHashSet(StringComparer.Ordinal));
            int present = 0, absent = 0;
            foreach (var (qid, docs) in relevant)
            {
                var question = queries[qid];
                var hits = await retriever.RetrieveAsync(new RetrievalQuery(question) { Top = options.Top + 40 });
                double Best(IEnumerable<RetrievedChunk> chunks) => chunks.Take(options.Top).Select(h => scorer.Relevance(question, h.Chunk.Text)).DefaultIfEmpty(0).Max();
                present += Best(hits) < options.MinRelevance ? 1 : 0;
                absent += Best(hits.Where(h => !docs.Contains(h.Chunk.DocumentId))) < options.MinRelevance ? 1 : 0;
            }

            rates[split] = ((double)present / relevant.Count, (double)absent / relevant.Count);
            output.WriteLine($"{split}: {relevant.Count} claims; refused when the answer is present {present} ({rates[split].Present:P1}), when absent {absent} ({rates[split].Absent:P1}) at MinRelevance {options.MinRelevance}");
        }

        Assert.True(rates["test"].Absent > rates["test"].Present, "the rule must refuse more often when the cited abstracts are gone");
    }

    private static string FindSciFact()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "scifact");
            if (File.Exists(Path.Combine(candidate, "corpus.jsonl")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("SciFact is not in ../shared/data/scifact beside the repository; this check needs it (it is never copied into the repository).");
    }
}
