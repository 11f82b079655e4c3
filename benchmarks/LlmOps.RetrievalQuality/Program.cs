using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmOps.Embeddings.MiniLM;
using LlmOps.Retrieval;
using LlmOps.RetrievalQuality;
using Microsoft.Extensions.AI;

// Usage: dotnet run -c Release --project benchmarks/LlmOps.RetrievalQuality -- --data DIR --method bm25|dense|hybrid
//        --top 100 --out FILE [--qrels FILE] [--tag TAG] [--embedding-cache FILE] [--set option=value ...]
// Writes a TREC run (qid Q0 docid rank score tag), document level, with the library's defaults unless --set is given
// (for tuning on train queries only). Scores nDCG@10 and Recall@100 against qrels-test.tsv (or --qrels) when present.
var args2 = ParseArgs(args);
if (!args2.TryGetValue("data", out string? data) || !args2.TryGetValue("out", out string? outPath))
{
    Console.Error.WriteLine("usage: --data DIR --method bm25|dense|hybrid --top 100 --out FILE [--qrels FILE] [--tag TAG] [--embedding-cache FILE] [--set option=value]");
    return 2;
}

string method = args2.GetValueOrDefault("method", "hybrid");
int top = int.Parse(args2.GetValueOrDefault("top", "100"), CultureInfo.InvariantCulture);
string tag = args2.GetValueOrDefault("tag", "llmops-" + method);
string qrelsPath = args2.TryGetValue("qrels", out string? q) ? (Path.IsPathRooted(q) || File.Exists(q) ? q : Path.Combine(data, q)) : Path.Combine(data, "qrels-test.tsv");
if (method is not ("bm25" or "dense" or "hybrid"))
{
    Console.Error.WriteLine($"--method must be bm25, dense or hybrid; was {method}.");
    return 2;
}

var settings = Sets(args);
var indexOptions = new DocumentIndexOptions();
var hybridOptions = new HybridRetrieverOptions();
foreach ((string key, string value) in settings)
{
    float f = float.Parse(value, CultureInfo.InvariantCulture);
    switch (key)
    {
        case "chunk.max": indexOptions.Chunker.MaxTokens = (int)f; break;
        case "chunk.overlap": indexOptions.Chunker.OverlapTokens = (int)f; break;
        case "chunk.context": indexOptions.Chunker.IncludeContextInIndexText = f != 0; break;
        case "bm25.k1": indexOptions.Bm25.K1 = f; break;
        case "bm25.b": indexOptions.Bm25.B = f; break;
        case "hybrid.rrfk": hybridOptions.RrfK = (int)f; break;
        case "hybrid.lw": hybridOptions.LexicalWeight = f; break;
        case "hybrid.dw": hybridOptions.DenseWeight = f; break;
        case "hybrid.fusion": hybridOptions.Fusion = (HybridFusion)(int)f; break;
        case "hybrid.candidates": hybridOptions.CandidateCount = (int)f; break;
        default: Console.Error.WriteLine($"unknown --set {key}"); return 2;
    }

    Console.WriteLine($"setting {key} = {value} (not a default)");
}

// Documents: title and text, as BEIR indexes them.
var documents = new List<RetrievalDocument>();
foreach (string line in File.ReadLines(Path.Combine(data, "corpus.jsonl")))
{
    using JsonDocument j = JsonDocument.Parse(line);
    JsonElement root = j.RootElement;
    string id = root.GetProperty("_id").GetString()!;
    string title = root.TryGetProperty("title", out JsonElement t) ? t.GetString() ?? string.Empty : string.Empty;
    string text = root.TryGetProperty("text", out JsonElement x) ? x.GetString() ?? string.Empty : string.Empty;
    documents.Add(new RetrievalDocument(id, text) { Title = title.Length > 0 ? title : null });
}

var queries = new List<(string Id, string Text)>();
foreach (string line in File.ReadLines(Path.Combine(data, "queries.jsonl")))
{
    using JsonDocument j = JsonDocument.Parse(line);
    queries.Add((j.RootElement.GetProperty("_id").GetString()!, j.RootElement.GetProperty("text").GetString()!));
}

Dictionary<string, Dictionary<string, int>>? qrels = File.Exists(qrelsPath) ? TrecEval.ReadQrels(qrelsPath) : null;
if (qrels is not null)
{
    queries = queries.Where(x => qrels.ContainsKey(x.Id)).ToList();
}

IEmbeddingGenerator<string, Embedding<float>>? generator = null;
DiskCachedEmbeddingGenerator? cached = null;
if (method != "bm25")
{
    generator = new MiniLmEmbeddingGenerator();
    if (args2.TryGetValue("embedding-cache", out string? cachePath))
    {
        generator = cached = new DiskCachedEmbeddingGenerator(generator, cachePath);
    }
}

Console.WriteLine($"{documents.Count} documents, {queries.Count} queries, method {method}");
using var index = new DocumentIndex(indexOptions, generator);
var clock = Stopwatch.StartNew();
IngestionResult ingested = await index.IngestAsync(documents);
TimeSpan indexing = clock.Elapsed;
cached?.Flush();
Console.WriteLine($"indexing: {indexing.TotalSeconds:F1} s ({index.ChunkCount} chunks; embedding {ingested.EmbeddingTime.TotalSeconds:F1} s{(cached is null ? string.Empty : $", {cached.Hits} cached")})");

IRetriever retriever = method switch
{
    "bm25" => new Bm25Retriever(index),
    "dense" => new DenseRetriever(index),
    _ => new HybridRetriever(index, hybridOptions),
};

var run = new Dictionary<string, List<(string DocId, double Score)>>(StringComparer.Ordinal);
var output = new StringBuilder();
clock.Restart();
foreach ((string qid, string text) in queries)
{
    IReadOnlyList<RetrievedChunk> hits = await retriever.RetrieveAsync(new RetrievalQuery(text) { Top = top, Level = RetrievalLevel.Document });
    var list = new List<(string, double)>(hits.Count);
    for (int i = 0; i < hits.Count; i++)
    {
        output.Append(CultureInfo.InvariantCulture, $"{qid} Q0 {hits[i].Chunk.DocumentId} {i + 1} {hits[i].Score:R} {tag}\n");
        list.Add((hits[i].Chunk.DocumentId, hits[i].Score));
    }

    run[qid] = list;
}

TimeSpan querying = clock.Elapsed;
cached?.Flush();
await File.WriteAllTextAsync(outPath, output.ToString());
Console.WriteLine($"querying: {querying.TotalSeconds:F2} s ({querying.TotalMilliseconds / Math.Max(1, queries.Count):F2} ms per query)");
Console.WriteLine($"run written to {outPath}");
if (qrels is not null)
{
    (double ndcg, double recall, int n) = TrecEval.Score(qrels, run);
    Console.WriteLine($"{Path.GetFileName(qrelsPath)}: nDCG@10 {ndcg:F4}  Recall@100 {recall:F4}  ({n} queries)");
}

return 0;

static Dictionary<string, string> ParseArgs(string[] args)
{
    var d = new Dictionary<string, string>(StringComparer.Ordinal);
    for (int i = 0; i + 1 < args.Length; i++)
    {
        if (args[i].StartsWith("--", StringComparison.Ordinal) && args[i] != "--set")
        {
            d[args[i][2..]] = args[++i];
        }
    }

    return d;
}

static List<(string, string)> Sets(string[] args)
{
    var list = new List<(string, string)>();
    for (int i = 0; i + 1 < args.Length; i++)
    {
        if (args[i] == "--set")
        {
            string[] kv = args[++i].Split('=', 2);
            list.Add((kv[0], kv[1]));
        }
    }

    return list;
}
