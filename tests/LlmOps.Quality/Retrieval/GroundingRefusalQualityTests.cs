using LlmOps.Embeddings.MiniLM;
using LlmOps.Guardrails.Training;
using LlmOps.Retrieval;
using LlmOps.RetrievalQuality;
using Microsoft.Extensions.AI;
using Xunit.Abstractions;

namespace LlmOps.Quality.Retrieval;

/// <summary>
/// Issue 18, refusal: on SciFact (read from ../shared/data/scifact, never copied), how often the grounding stage
/// refuses when a claim's cited abstracts are in the corpus ("present") and when they are not ("absent": the same
/// retrieval with the cited abstracts removed from the results). The requests go through <see cref="GroundingChatClient"/>
/// with its defaults, so the token budget and the sufficiency check are the shipped ones.
/// </summary>
/// <remarks>
/// The sufficiency curve's constants were fitted on the train split only; each test refits them on train and checks
/// that the shipped constants are that fit, and that the default threshold keeps train's present refusals at 5% or
/// less. The test split is printed with the shipped defaults (reported once in the README; not tuned on).
/// The dense (hybrid) measurement needs the 8,613 SciFact chunks embedded with MiniLM (about 20 minutes on two
/// shared cores); it runs when LLMOPS_SCIFACT_EMBEDDINGS names an embedding cache file (created when missing).
/// </remarks>
public sealed class GroundingRefusalQualityTests(ITestOutputHelper output)
{
    private const string EmbeddingCacheVariable = "LLMOPS_SCIFACT_EMBEDDINGS";

    [Fact]
    public async Task LexicalSufficiency_SciFactBm25_ShippedFitAndTrainRefusalsWithinFivePercent()
    {
        using var index = await IndexAsync(null);
        await MeasureAsync(new Bm25Retriever(index), dense: false);
    }

    [Fact]
    public async Task DenseSufficiency_SciFactHybrid_ShippedFitAndTrainRefusalsWithinFivePercent()
    {
        if (Environment.GetEnvironmentVariable(EmbeddingCacheVariable) is not { Length: > 0 } cache)
        {
            output.WriteLine($"Not measured: set {EmbeddingCacheVariable} to an embedding cache file to embed SciFact once (about 20 minutes) and measure the hybrid path.");
            return;
        }

        using var generator = new DiskCachedEmbeddingGenerator(new MiniLmEmbeddingGenerator(), cache);
        using var index = await IndexAsync(generator);
        await MeasureAsync(new HybridRetriever(index), dense: true);
        generator.Flush();
    }

    [Fact]
    public async Task OffTopicQuestions_SciFactBm25_AreMostlyRefused()
    {
        // The routing set's prompts (data/routing/complexity.tsv: everyday questions and tasks, written for this project)
        // asked of the scientific abstracts: the corpus does not cover their topics (a few touch medicine or biology).
        var path = Path.Combine(AppContext.BaseDirectory, "data", "routing", "complexity.tsv");
        var prompts = File.ReadLines(path).Skip(1).Select(l => l.Split('\t')).Where(p => p.Length >= 3).Select(p => p[2]).ToList();
        using var index = await IndexAsync(null);
        using var client = new GroundingChatClient(new AnsweringClient(), new Bm25Retriever(index));
        var refused = 0;
        foreach (var prompt in prompts)
        {
            refused += (await client.GetResponseAsync(prompt)).GetGrounding()?.Refused == true ? 1 : 0;
        }

        var (rate, low, high) = WilsonInterval.Of(refused, prompts.Count);
        output.WriteLine($"off-topic prompts refused: {refused}/{prompts.Count} ({rate:P1}, 95% Wilson [{low:P1}, {high:P1}]); MinRelevance {new GroundingOptions().MinRelevance}, BM25");
        Assert.True(rate >= 0.5, $"only {rate:P1} of off-topic prompts were refused");
    }

    [Fact]
    public async Task OffCorpusQuestions_SciFact_RefusalRateWithWilsonInterval()
    {
        // A second construction of "absent" (data/offtopic: 300 everyday questions written for this project, none about
        // biology or medicine): the topic is not in the corpus at all, unlike SciFact's claims with their cited abstracts
        // removed. An evaluation set only: nothing was chosen on it.
        var questions = OffTopicQuestions();
        using var index = await IndexAsync(null);
        var bm25 = await ReportOffCorpusAsync(new Bm25Retriever(index), questions, "BM25");
        if (Environment.GetEnvironmentVariable(EmbeddingCacheVariable) is { Length: > 0 } cache)
        {
            using var generator = new DiskCachedEmbeddingGenerator(new MiniLmEmbeddingGenerator(), cache);
            using var dense = await IndexAsync(generator);
            var hybrid = await ReportOffCorpusAsync(new HybridRetriever(dense), questions, "hybrid");
            generator.Flush();
            Assert.True(hybrid >= 0.85, $"hybrid: only {hybrid:P1} of off-corpus questions were refused (93.3% when MinSimilarity shipped)");
        }
        else
        {
            output.WriteLine($"hybrid not measured: set {EmbeddingCacheVariable} to an embedding cache file.");
        }

        Assert.True(bm25 >= 0.25, $"BM25: only {bm25:P1} of off-corpus questions were refused");
    }

    private async Task<double> ReportOffCorpusAsync(IRetriever retriever, List<(string Topic, string Question)> questions, string name)
    {
        using var client = new GroundingChatClient(new AnsweringClient(), retriever, Options());
        var refusedByTopic = new Dictionary<string, int>(StringComparer.Ordinal);
        var refused = 0;
        foreach (var (topic, question) in questions)
        {
            var hit = (await client.GetResponseAsync(question)).GetGrounding()?.Refused == true ? 1 : 0;
            refused += hit;
            refusedByTopic[topic] = refusedByTopic.GetValueOrDefault(topic) + hit;
        }

        var (rate, low, high) = WilsonInterval.Of(refused, questions.Count);
        output.WriteLine($"{name}: off-corpus questions refused {refused}/{questions.Count} ({rate:P1}, 95% Wilson [{low:P1}, {high:P1}]); by topic: {string.Join(", ", refusedByTopic.Select(p => $"{p.Key} {p.Value}"))}");
        return rate;
    }

    private static List<(string Topic, string Question)> OffTopicQuestions()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "data", "offtopic", "questions.tsv");
        var questions = File.ReadLines(path).Skip(1).Select(l => l.Split('\t')).Select(p => (p[1], p[2])).ToList();
        Assert.Equal(300, questions.Count);
        return questions;
    }

    private async Task MeasureAsync(IRetriever retriever, bool dense)
    {
        var folder = SciFact.Folder;
        var queries = SciFact.Queries(folder);
        var rates = new Dictionary<string, (double Present, double Absent, int Claims)>();
        var trainFeatures = new List<(double X, bool Present)>();
        var trainScores = new List<(double Score, bool Present)>();
        var answeredSimilarities = new List<double>();
        var options = Options();
        // LLMOPS_REFUSAL_SPLITS=train measures the calibration alone (while fitting, the test split stays unseen).
        var splits = (Environment.GetEnvironmentVariable("LLMOPS_REFUSAL_SPLITS") ?? "train,test").Split(',');
        foreach (var split in splits)
        {
            var relevant = SciFact.Qrels(folder, split);
            int present = 0, absent = 0, evidenceMissed = 0;
            foreach (var (qid, cited) in relevant)
            {
                foreach (var withEvidence in new[] { true, false })
                {
                    var filter = new EvidenceFilter(retriever, withEvidence ? [] : cited);
                    using var client = new GroundingChatClient(new AnsweringClient(), filter, options);
                    var response = await client.GetResponseAsync(queries[qid]);
                    var grounding = response.GetGrounding()!;
                    if (withEvidence && !grounding.Sources.Any(s => cited.Contains(s.DocumentId)))
                    {
                        // The evidence is in the corpus but not among the sources the stage fitted: this claim looks absent.
                        evidenceMissed++;
                    }

                    if (grounding.Refused)
                    {
                        _ = withEvidence ? present++ : absent++;
                    }

                    if (split == "train")
                    {
                        var f = grounding.SufficiencyFeatures;
                        Assert.Equal(dense, f?.Cosine is not null || f is null);
                        trainFeatures.Add((f?.Combined ?? 0, withEvidence));
                        trainScores.Add((grounding.Sources.Count == 0 ? 0 : grounding.Relevance, withEvidence));
                        if (grounding.Similarity is double similarity && grounding.Relevance >= new GroundingOptions().MinRelevance)
                        {
                            answeredSimilarities.Add(similarity);
                        }
                    }
                }
            }

            rates[split] = ((double)present / relevant.Count, (double)absent / relevant.Count, relevant.Count);
            output.WriteLine($"{split}: {relevant.Count} claims; refused with the evidence present {present} ({rates[split].Present:P1}), absent {absent} ({rates[split].Absent:P1}); MinRelevance {options.MinRelevance}, Top {options.Top}, MaxContextTokens {options.MaxContextTokens}, {(dense ? "hybrid, coverage + cosine" : "BM25, coverage")}");
            var missedShare = (double)evidenceMissed / relevant.Count;
            output.WriteLine($"{split}: evidence present but no cited abstract among the fitted sources in {evidenceMissed} claims ({missedShare:P1}); ceiling on absent refusals at 5% present refusals {Math.Min(1, 0.05 / Math.Max(missedShare, 1e-9)):P1}");
        }

        if (trainScores.Count > 0)
        {
            // The trade-off the default threshold was chosen from (train only).
            foreach (var t in new[] { 0.15, 0.2, 0.22, 0.24, 0.25, 0.26, 0.28, 0.3, 0.35, 0.4, 0.5 })
            {
                output.WriteLine($"train at MinRelevance {t:F2}: present refused {trainScores.Count(x => x.Present && x.Score < t) / (trainScores.Count / 2.0):P1}, absent refused {trainScores.Count(x => !x.Present && x.Score < t) / (trainScores.Count / 2.0):P1}");
            }
        }

        if (dense)
        {
            // MinSimilarity's rule (train only): below the best-source cosine of every train claim that MinRelevance answers,
            // so the floor refuses none of them and only catches questions whose terms occur but whose meaning does not.
            var lowest = answeredSimilarities.Min();
            output.WriteLine($"train: lowest best-source cosine among the claims MinRelevance answers {lowest:F3} ({answeredSimilarities.Count} claims); MinSimilarity {new GroundingOptions().MinSimilarity}");
            Assert.True(lowest >= new GroundingOptions().MinSimilarity, $"MinSimilarity {new GroundingOptions().MinSimilarity} refuses a train claim that MinRelevance answers (cosine {lowest:F3})");
        }

        var (intercept, slope) = FitLogistic(trainFeatures);
        output.WriteLine($"train fit: intercept {intercept:F3}, slope {slope:F3}");
        var (shippedIntercept, shippedSlope) = dense
            ? (ContextSufficiency.DenseIntercept, ContextSufficiency.DenseSlope)
            : (ContextSufficiency.LexicalIntercept, ContextSufficiency.LexicalSlope);
        Assert.InRange(intercept, shippedIntercept - 0.15, shippedIntercept + 0.15);
        Assert.InRange(slope, shippedSlope - 0.3, shippedSlope + 0.3);
        Assert.True(rates["train"].Present <= 0.05, $"train present refusals {rates["train"].Present:P1} > 5%");
        foreach (var (split, rate) in rates)
        {
            Assert.True(rate.Absent > rate.Present, $"{split}: the rule must refuse more often when the cited abstracts are gone");
        }
    }

    /// <summary>
    /// The stage's defaults, or (for exploring on train only) LLMOPS_REFUSAL_TOP sources within LLMOPS_REFUSAL_BUDGET
    /// context tokens.
    /// </summary>
    private static GroundingOptions Options()
    {
        var options = new GroundingOptions();
        if (int.TryParse(Environment.GetEnvironmentVariable("LLMOPS_REFUSAL_TOP"), out var top))
        {
            options.Top = top;
        }

        if (int.TryParse(Environment.GetEnvironmentVariable("LLMOPS_REFUSAL_BUDGET"), out var budget))
        {
            options.MaxContextTokens = budget;
        }

        return options;
    }

    /// <summary>Maximum-likelihood logistic regression of presence on one feature (Newton's method).</summary>
    internal static (double Intercept, double Slope) FitLogistic(IReadOnlyList<(double X, bool Present)> data)
    {
        double a = 0, b = 0;
        for (var iteration = 0; iteration < 50; iteration++)
        {
            double ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
            foreach (var (x, present) in data)
            {
                var p = 1 / (1 + Math.Exp(-(a + (b * x))));
                var residual = (present ? 1 : 0) - p;
                var w = p * (1 - p);
                ga += residual;
                gb += residual * x;
                haa += w;
                hab += w * x;
                hbb += w * x * x;
            }

            var det = (haa * hbb) - (hab * hab);
            var da = ((hbb * ga) - (hab * gb)) / det;
            var db = ((haa * gb) - (hab * ga)) / det;
            a += da;
            b += db;
            if (Math.Abs(da) + Math.Abs(db) < 1e-9)
            {
                break;
            }
        }

        return (a, b);
    }

    private static async Task<DocumentIndex> IndexAsync(IEmbeddingGenerator<string, Embedding<float>>? generator)
    {
        var index = new DocumentIndex(null, generator);
        await index.IngestAsync(SciFact.Documents(SciFact.Folder));
        return index;
    }

    /// <summary>The retriever with a claim's cited abstracts removed from its results (the corpus without the evidence).</summary>
    private sealed class EvidenceFilter(IRetriever inner, HashSet<string> removed) : IRetriever, IIndexedRetriever
    {
        public DocumentIndex? Index => (inner as IIndexedRetriever)?.Index;

        public async Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(RetrievalQuery query, CancellationToken cancellationToken = default)
        {
            var hits = await inner.RetrieveAsync(new RetrievalQuery(query.Text) { Scope = query.Scope, Top = query.Top + 40, Level = query.Level }, cancellationToken);
            return [.. hits.Where(h => !removed.Contains(h.Chunk.DocumentId)).Take(query.Top)];
        }
    }

    /// <summary>A model that answers anything (the refusal happens before it).</summary>
    private sealed class AnsweringClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "An answer.")));

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
