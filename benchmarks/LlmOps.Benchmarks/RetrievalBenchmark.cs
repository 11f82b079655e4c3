using BenchmarkDotNet.Attributes;
using Lucene.Net.Analysis.En;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.QueryParsers.Classic;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;
using LlmOps.Retrieval;
using Microsoft.Extensions.AI;

namespace LlmOps.Benchmarks;

/// <summary>
/// Retrieval over 100k chunks of synthetic English-like text (a Zipf vocabulary of 30k pseudo-words, 40-160 words per
/// chunk, seed 42) and 64 queries of 3-8 words drawn from the same distribution. BM25: our <see cref="Bm25Index"/>
/// against Lucene.Net 4.8's BM25 (EnglishAnalyzer, BM25Similarity(0.9, 0.4), the query parsed by the classic parser
/// with OR, top-10 with the ids read back), both analysing the query on every call. Hybrid: one query through
/// <see cref="HybridRetriever"/> (BM25 and exact cosine over 100k x 384 vectors, 100 candidates each, RRF) with the
/// query embedding precomputed; HybridQuantized the same over int8-quantised vectors (DocumentIndexOptions.QuantizeVectors:
/// int8 scan, the best 4 × 100 candidates rescored in float32). Ingestion: chunks per second through <see cref="DocumentIndex"/> with a no-cost
/// embedding generator (the embedding model's own time is reported separately).
/// </summary>
[MemoryDiagnoser]
public class RetrievalBenchmark
{
    private const int Chunks = 100_000;
    private const int QueryCount = 64;
    private const LuceneVersion Version = LuceneVersion.LUCENE_48;

    private string[] _texts = [];
    private string[] _queries = [];
    private Bm25Index _bm25 = null!;
    private RAMDirectory _luceneDirectory = null!;
    private DirectoryReader _luceneReader = null!;
    private IndexSearcher _luceneSearcher = null!;
    private QueryParser _luceneParser = null!;
    private DocumentIndex _index = null!;
    private HybridRetriever _hybrid = null!;
    private DocumentIndex _quantizedIndex = null!;
    private HybridRetriever _hybridQuantized = null!;
    private RetrievalDocument[] _ingestBatch = [];
    private int _next;

    [GlobalSetup(Targets = [nameof(Bm25Ours), nameof(Bm25Lucene)])]
    public void SetupBm25()
    {
        MakeCorpus();
        _bm25 = new Bm25Index();
        for (int i = 0; i < Chunks; i++)
        {
            _bm25.Upsert("c" + i, _texts[i], scope: null);
        }

        var analyzer = new EnglishAnalyzer(Version);
        _luceneDirectory = new RAMDirectory();
        var config = new IndexWriterConfig(Version, analyzer) { Similarity = new BM25Similarity(Bm25Options.DefaultK1, Bm25Options.DefaultB) };
        using (var writer = new IndexWriter(_luceneDirectory, config))
        {
            for (int i = 0; i < Chunks; i++)
            {
                writer.AddDocument(new Document
                {
                    new StringField("id", "c" + i, Field.Store.YES),
                    new TextField("body", _texts[i], Field.Store.NO),
                });
            }

            writer.ForceMerge(1);
            writer.Commit();
        }

        _luceneReader = DirectoryReader.Open(_luceneDirectory);
        _luceneSearcher = new IndexSearcher(_luceneReader) { Similarity = new BM25Similarity(Bm25Options.DefaultK1, Bm25Options.DefaultB) };
        _luceneParser = new QueryParser(Version, "body", analyzer);
    }

    [GlobalSetup(Target = nameof(Hybrid))]
    public void SetupHybrid()
    {
        MakeCorpus();
        _index = new DocumentIndex(embeddingGenerator: new RandomEmbeddingGenerator());
        _index.IngestAsync(_texts.Select((t, i) => new RetrievalDocument("c" + i, t))).GetAwaiter().GetResult();
        _hybrid = new HybridRetriever(_index);
    }

    [GlobalSetup(Target = nameof(HybridQuantized))]
    public void SetupHybridQuantized()
    {
        MakeCorpus();
        _quantizedIndex = new DocumentIndex(new DocumentIndexOptions { QuantizeVectors = true }, new RandomEmbeddingGenerator());
        _quantizedIndex.IngestAsync(_texts.Select((t, i) => new RetrievalDocument("c" + i, t))).GetAwaiter().GetResult();
        _hybridQuantized = new HybridRetriever(_quantizedIndex);
    }

    [GlobalSetup(Target = nameof(Ingest1000))]
    public void SetupIngest()
    {
        MakeCorpus();
        _ingestBatch = _texts.Take(1000).Select((t, i) => new RetrievalDocument("c" + i, t)).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bm25?.Dispose();
        _luceneReader?.Dispose();
        _luceneDirectory?.Dispose();
        _index?.Dispose();
        _quantizedIndex?.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = QueryCount)]
    public int Bm25Ours()
    {
        int found = 0;
        foreach (string q in _queries)
        {
            found += _bm25.Search(q, 10, scope: null).Count;
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = QueryCount)]
    public int Bm25Lucene()
    {
        int found = 0;
        foreach (string q in _queries)
        {
            TopDocs top = _luceneSearcher.Search(_luceneParser.Parse(q), 10);
            foreach (ScoreDoc hit in top.ScoreDocs)
            {
                found += _luceneSearcher.Doc(hit.Doc).Get("id").Length > 0 ? 1 : 0;
            }
        }

        return found;
    }

    [Benchmark]
    public int Hybrid()
    {
        string q = _queries[_next++ % QueryCount];
        return _hybrid.RetrieveAsync(new RetrievalQuery(q)).GetAwaiter().GetResult().Count;
    }

    /// <summary>The same hybrid query over the int8-quantised vectors (<see cref="DocumentIndexOptions.QuantizeVectors"/>).</summary>
    [Benchmark]
    public int HybridQuantized()
    {
        string q = _queries[_next++ % QueryCount];
        return _hybridQuantized.RetrieveAsync(new RetrievalQuery(q)).GetAwaiter().GetResult().Count;
    }

    /// <summary>Ingests 1,000 chunks into a fresh index (chunking, hashing, BM25 and vector indexing; no-cost embeddings).</summary>
    [Benchmark(OperationsPerInvoke = 1000)]
    public int Ingest1000()
    {
        using var index = new DocumentIndex(embeddingGenerator: new RandomEmbeddingGenerator());
        return index.IngestAsync(_ingestBatch).GetAwaiter().GetResult().ChunksEmbedded;
    }

    private void MakeCorpus()
    {
        if (_texts.Length > 0)
        {
            return;
        }

        var random = new Random(42);
        const int vocabulary = 30_000;
        string[] words = new string[vocabulary];
        const string letters = "etaoinshrdlcumwfgypbvkjxqz";
        for (int i = 0; i < vocabulary; i++)
        {
            int length = 3 + random.Next(8);
            var chars = new char[length];
            for (int c = 0; c < length; c++)
            {
                chars[c] = letters[(int)(Math.Pow(random.NextDouble(), 2) * letters.Length)];
            }

            words[i] = new string(chars);
        }

        // Zipf(1.0) by inverse transform over the harmonic numbers.
        double[] cumulative = new double[vocabulary];
        double sum = 0;
        for (int i = 0; i < vocabulary; i++)
        {
            sum += 1.0 / (i + 1);
            cumulative[i] = sum;
        }

        string Word()
        {
            int i = Array.BinarySearch(cumulative, random.NextDouble() * sum);
            return words[i < 0 ? ~i : i];
        }

        _texts = new string[Chunks];
        var sb = new System.Text.StringBuilder();
        for (int d = 0; d < Chunks; d++)
        {
            sb.Clear();
            int n = 40 + random.Next(120);
            for (int w = 0; w < n; w++)
            {
                sb.Append(Word()).Append(w % 17 == 16 ? ". " : " ");
            }

            _texts[d] = sb.ToString();
        }

        _queries = new string[QueryCount];
        for (int q = 0; q < QueryCount; q++)
        {
            int n = 3 + random.Next(6);
            _queries[q] = string.Join(' ', Enumerable.Range(0, n).Select(_ => words[50 + random.Next(5000)]));
        }
    }

    /// <summary>Deterministic random unit vectors at no model cost (384 dimensions, like all-MiniLM-L6-v2).</summary>
    private sealed class RandomEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var result = new GeneratedEmbeddings<Embedding<float>>();
            foreach (string value in values)
            {
                var random = new Random(value.GetHashCode(StringComparison.Ordinal));
                var v = new float[384];
                for (int i = 0; i < v.Length; i++)
                {
                    v[i] = (float)(random.NextDouble() - 0.5);
                }

                result.Add(new Embedding<float>(v));
            }

            return Task.FromResult(result);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
