using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Cloud.Unum.USearch;
using LlmOps.Vectors;

namespace LlmOps.Benchmarks;

/// <summary>
/// Exact top-10 search over N x D normalised float32 vectors: our kernel against a bandwidth floor, a naive LINQ scan,
/// a TensorPrimitives-per-row scan, Semantic Kernel's in-memory algorithm and USearch's HNSW index.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class VectorSearchBenchmark
{
    private const int K = 10;
    private float[] _flat = [];
    private float[][] _rows = [];
    private Dictionary<string, SkRecord> _skRecords = [];
    private float[] _query = [];
    private float[] _queries16 = [];
    private FlatVectorIndex _index = null!;
    private QuantizedVectorIndex _quantized = null!;
    private USearchIndex? _usearch;

    /// <summary>Rows x dimensions.</summary>
    [Params("100000x384")]
    public string Shape { get; set; } = "100000x384";

    private int N => int.Parse(Shape.Split('x')[0], System.Globalization.CultureInfo.InvariantCulture);

    private int D => int.Parse(Shape.Split('x')[1], System.Globalization.CultureInfo.InvariantCulture);

    [GlobalSetup]
    public void Setup()
    {
        (_flat, _rows, _query, _queries16) = VectorBenchData.Create(N, D);
        _index = new FlatVectorIndex(D);
        for (int i = 0; i < N; i++)
        {
            _index.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture), _rows[i]);
        }

        // First query after build vs steady state (AggressiveOptimization means no tier-0 kernel).
        _index.MaxDegreeOfParallelism = 1;
        var sw = Stopwatch.StartNew();
        _index.SearchAllScopes(_query, K);
        double first = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        for (int i = 0; i < 20; i++)
        {
            _index.SearchAllScopes(_query, K);
        }

        double steady = sw.Elapsed.TotalMilliseconds / 20;
        Console.WriteLine($"// FIRST-QUERY {Shape}: first {first:F3} ms, steady {steady:F3} ms, ratio {first / steady:F2}");

        _quantized = new QuantizedVectorIndex(D);
        _skRecords = new Dictionary<string, SkRecord>(N);
        for (int i = 0; i < N; i++)
        {
            _quantized.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture), _rows[i]);
            _skRecords[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new SkRecord(i.ToString(System.Globalization.CultureInfo.InvariantCulture), _rows[i]);
        }
    }

    [GlobalSetup(Target = nameof(USearchHnsw))]
    public void SetupUSearch()
    {
        Setup();
        _usearch = VectorBenchData.BuildUSearch(_rows, _index, Shape);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _index.Dispose();
        _quantized.Dispose();
        _usearch?.Dispose();
    }

    /// <summary>Speed of light: a Vector512 sum over the same bytes with four accumulators.</summary>
    [Benchmark]
    public float BandwidthFloor() => VectorBenchData.Floor(_flat);

    /// <summary>Naive: LINQ over the rows, a plain dot loop, OrderByDescending().Take(k).</summary>
    [Benchmark(Baseline = true)]
    public List<int> NaiveLinq() => VectorBenchData.Naive(_rows, _query, K);

    [Benchmark]
    public int TensorPrimitivesPerRow() => VectorBenchData.TensorPrimitivesScan(_rows, _query, K);

    /// <summary>Semantic Kernel's in-memory store algorithm: dictionary of records, cosine per record via LINQ, full sort.</summary>
    [Benchmark]
    public int SemanticKernelStyle() => _skRecords.Values
        .Select(r => (Record: r, Score: TensorPrimitives.CosineSimilarity(r.Embedding.Span, _query)))
        .OrderByDescending(x => x.Score)
        .Take(K)
        .ToList().Count;

    [Benchmark]
    public IReadOnlyList<VectorSearchResult> Flat1Thread()
    {
        _index.MaxDegreeOfParallelism = 1;
        return _index.SearchAllScopes(_query, K);
    }

    [Benchmark]
    public IReadOnlyList<VectorSearchResult> FlatParallel()
    {
        _index.MaxDegreeOfParallelism = Environment.ProcessorCount;
        return _index.SearchAllScopes(_query, K);
    }

    [Benchmark]
    public IReadOnlyList<VectorSearchResult> Int8Rescored1Thread() => _quantized.SearchAllScopes(_query, K);

    [Benchmark(OperationsPerInvoke = 16)]
    public int Sequential16Queries1Thread()
    {
        _index.MaxDegreeOfParallelism = 1;
        int n = 0;
        for (int i = 0; i < 16; i++)
        {
            n += _index.SearchAllScopes(_queries16.AsSpan(i * D, D), K).Count;
        }

        return n;
    }

    [Benchmark(OperationsPerInvoke = 16)]
    public int Batch16Queries1Thread() => _index.SearchBatchAllScopes(_queries16, K).Length;

    [Benchmark]
    public int USearchHnsw()
    {
        int found = (int)_usearch!.Search(_query, K, out ulong[] keys, out float[] distances);
        return found + keys.Length + distances.Length;
    }

    private sealed record SkRecord(string Key, ReadOnlyMemory<float> Embedding);
}

/// <summary>How search scales with size and dimension: 1 thread vs parallel vs the bandwidth floor.</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class VectorSearchScalingBenchmark
{
    private const int K = 10;
    private float[] _flat = [];
    private float[] _query = [];
    private FlatVectorIndex _index = null!;

    /// <summary>Rows x dimensions.</summary>
    [Params("1000x384", "10000x384", "100000x384", "1000000x384", "100000x1536")]
    public string Shape { get; set; } = "1000x384";

    [GlobalSetup]
    public void Setup()
    {
        int n = int.Parse(Shape.Split('x')[0], System.Globalization.CultureInfo.InvariantCulture);
        int d = int.Parse(Shape.Split('x')[1], System.Globalization.CultureInfo.InvariantCulture);
        (_flat, float[][] rows, _query, _) = VectorBenchData.Create(n, d);
        _index = new FlatVectorIndex(d);
        for (int i = 0; i < n; i++)
        {
            _index.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture), rows[i]);
        }

        if (n == 10_000)
        {
            VectorBenchData.BuildUSearch(rows, _index, Shape).Dispose();
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _index.Dispose();

    [Benchmark(Baseline = true)]
    public float BandwidthFloor() => VectorBenchData.Floor(_flat);

    [Benchmark]
    public IReadOnlyList<VectorSearchResult> Flat1Thread()
    {
        _index.MaxDegreeOfParallelism = 1;
        return _index.SearchAllScopes(_query, K);
    }

    [Benchmark]
    public IReadOnlyList<VectorSearchResult> FlatParallel()
    {
        _index.MaxDegreeOfParallelism = Environment.ProcessorCount;
        return _index.SearchAllScopes(_query, K);
    }
}

/// <summary>
/// Where splitting one search across cores starts to pay: the same index searched on the calling thread and split
/// across all cores regardless of size (split threshold 0). The crossover sets <c>FlatVectorIndex.DefaultParallelThresholdBytes</c>.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class VectorParallelThresholdBenchmark
{
    private const int K = 10;
    private float[] _query = [];
    private FlatVectorIndex _index = null!;

    /// <summary>Rows x dimensions.</summary>
    [Params("1000x384", "4000x384", "10000x384", "15000x384", "20000x384", "25000x384", "30000x384", "40000x384", "100000x384")]
    public string Shape { get; set; } = "1000x384";

    [GlobalSetup]
    public void Setup()
    {
        int n = int.Parse(Shape.Split('x')[0], System.Globalization.CultureInfo.InvariantCulture);
        int d = int.Parse(Shape.Split('x')[1], System.Globalization.CultureInfo.InvariantCulture);
        (_, float[][] rows, _query, _) = VectorBenchData.Create(n, d);
        _index = new FlatVectorIndex(d) { ParallelThresholdBytes = 0 };
        for (int i = 0; i < n; i++)
        {
            _index.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture), rows[i]);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _index.Dispose();

    [Benchmark(Baseline = true)]
    public IReadOnlyList<VectorSearchResult> Flat1Thread()
    {
        _index.MaxDegreeOfParallelism = 1;
        return _index.SearchAllScopes(_query, K);
    }

    [Benchmark]
    public IReadOnlyList<VectorSearchResult> FlatParallelForced()
    {
        _index.MaxDegreeOfParallelism = Environment.ProcessorCount;
        return _index.SearchAllScopes(_query, K);
    }
}

internal static class VectorBenchData
{
    public static (float[] Flat, float[][] Rows, float[] Query, float[] Queries16) Create(int n, int d)
    {
        var rng = new Random(42);
        var flat = new float[(long)n * d];
        var rows = new float[n][];
        for (int i = 0; i < n; i++)
        {
            var row = new float[d];
            for (int j = 0; j < d; j++)
            {
                row[j] = (float)((rng.NextDouble() * 2) - 1);
            }

            VectorMath.Normalize(row);
            rows[i] = row;
            row.CopyTo(flat.AsSpan(i * d, d));
        }

        var query = rows[rng.Next(n)].ToArray();
        query[0] += 0.1f;
        var queries = new float[16 * d];
        for (int i = 0; i < queries.Length; i++)
        {
            queries[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        return (flat, rows, query, queries);
    }

    public static float Floor(float[] flat)
    {
        ref float p = ref MemoryMarshal.GetArrayDataReference(flat);
        nuint n = (nuint)flat.LongLength;
        nuint w = (nuint)Vector512<float>.Count;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; i + (4 * w) <= n; i += 4 * w)
        {
            a0 += Vector512.LoadUnsafe(ref p, i);
            a1 += Vector512.LoadUnsafe(ref p, i + w);
            a2 += Vector512.LoadUnsafe(ref p, i + (2 * w));
            a3 += Vector512.LoadUnsafe(ref p, i + (3 * w));
        }

        return Vector512.Sum((a0 + a1) + (a2 + a3));
    }

    public static List<int> Naive(float[][] rows, float[] query, int k) => rows
        .Select((row, i) =>
        {
            float dot = 0;
            for (int j = 0; j < row.Length; j++)
            {
                dot += row[j] * query[j];
            }

            return (Index: i, Score: dot);
        })
        .OrderByDescending(x => x.Score)
        .Take(k)
        .Select(x => x.Index)
        .ToList();

    public static int TensorPrimitivesScan(float[][] rows, float[] query, int k)
    {
        var heap = new PriorityQueue<int, float>(k + 1);
        for (int i = 0; i < rows.Length; i++)
        {
            float s = TensorPrimitives.CosineSimilarity(rows[i], query);
            if (heap.Count < k)
            {
                heap.Enqueue(i, s);
            }
            else if (heap.TryPeek(out _, out float min) && s > min)
            {
                heap.EnqueueDequeue(i, s);
            }
        }

        return heap.Count;
    }

    /// <summary>USearch HNSW with the README's recommended parameters; prints build time and recall@10 vs exact.</summary>
    public static USearchIndex BuildUSearch(float[][] rows, FlatVectorIndex exact, string shape)
    {
        // README: connectivity 16, expansion_add 128, expansion_search 64.
        var index = new USearchIndex(MetricKind.Cos, ScalarKind.Float32, (ulong)rows[0].Length, 16, 128, 64, false);
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < rows.Length; i++)
        {
            index.Add((ulong)i, rows[i]);
        }

        double buildMs = sw.Elapsed.TotalMilliseconds;
        var rng = new Random(7);
        int hits = 0, total = 0;
        sw.Restart();
        int queries = 100;
        for (int q = 0; q < queries; q++)
        {
            float[] query = rows[rng.Next(rows.Length)].ToArray();
            for (int j = 0; j < query.Length; j++)
            {
                query[j] += (float)((rng.NextDouble() - 0.5) * 0.2);
            }

            var truth = exact.SearchAllScopes(query, 10).Select(r => ulong.Parse(r.Key, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
            index.Search(query, 10, out ulong[] keys, out _);
            hits += keys.Count(truth.Contains);
            total += 10;
        }

        Console.WriteLine($"// USEARCH {shape}: build {buildMs:F0} ms ({index.HardwareAcceleration()}), recall@10 vs exact {hits / (double)total:F3} over {queries} queries");
        return index;
    }
}
