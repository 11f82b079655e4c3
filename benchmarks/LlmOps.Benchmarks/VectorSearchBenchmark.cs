using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Cloud.Unum.USearch;
using LlmOps.Vectors;

namespace LlmOps.Benchmarks;

/// <summary>
/// Issue 16's vector rows, 100k x 384 (154 MB of float32 rows, beyond this machine's last-level cache), one thread:
/// the exact float32 scan and the int8 scan (with float32 rescoring) against the memory-bandwidth floor (a pure
/// streaming sum of the same bytes, the baseline), and USearch's HNSW index, the peer, in the same run.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
[SimpleJob(warmupCount: 3, iterationCount: 15)]
public class VectorSearchBenchmark
{
    private const int K = 10;
    private float[] _query = [];
    private float[] _queries16 = [];
    private float[][] _rows = [];
    private FlatVectorIndex _index = null!;
    private QuantizedVectorIndex _quantized = null!;
    private USearchIndex? _usearch;

    /// <summary>Rows x dimensions.</summary>
    [Params("100000x384")]
    public string Shape { get; set; } = "100000x384";

    [GlobalSetup]
    public void Setup()
    {
        (int n, int d) = VectorBenchData.ParseShape(Shape);
        (_, _rows, _query, _queries16) = VectorBenchData.Create(n, d);
        (_index, _quantized) = VectorBenchData.BuildIndexes(_rows, d);
        VectorBenchData.PrintFirstQuery(_index, _query, Shape);
        VectorBenchData.PrintInt8Recall(_index, _quantized, _rows, Shape);
    }

    /// <summary>The floor's process also prints the paired measurement (see <see cref="VectorBenchData.PrintPaired"/>).</summary>
    [GlobalSetup(Target = nameof(F32Floor))]
    public void SetupWithPairs()
    {
        Setup();
        VectorBenchData.PrintPaired(Shape, 40, _index, _quantized, _query);
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

    /// <summary>Speed of light for the float32 scan: a Vector512 sum over the index's own float32 rows.</summary>
    [Benchmark(Baseline = true)]
    public float F32Floor() => VectorBenchData.FloorF32(_index);

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

    /// <summary>Speed of light for the int8 scan: a Vector512 sum over the index's int8 codes (a quarter of the bytes).</summary>
    [Benchmark]
    public int Int8Floor() => VectorBenchData.FloorInt8(_quantized);

    [Benchmark]
    public IReadOnlyList<VectorSearchResult> Int8Rescored1Thread() => _quantized.SearchAllScopes(_query, K);

    [Benchmark(OperationsPerInvoke = 16)]
    public int Batch16Queries1Thread() => _index.SearchBatchAllScopes(_queries16, K).Length;

    /// <summary>A plain scan with TensorPrimitives.CosineSimilarity per row and a PriorityQueue.</summary>
    [Benchmark]
    public int TensorPrimitivesPerRow() => VectorBenchData.TensorPrimitivesScan(_rows, _query, K);

    [Benchmark]
    public int USearchHnsw()
    {
        int found = (int)_usearch!.Search(_query, K, out ulong[] keys, out float[] distances);
        return found + keys.Length + distances.Length;
    }
}

/// <summary>
/// Int8 against float32 with the data unambiguously in DRAM: 1M x 384 is 1.5 GB of float32 rows and 384 MB of int8
/// codes, both far beyond the last-level cache. Floors (pure streaming sums of the same bytes) in the same run.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
[SimpleJob(warmupCount: 2, iterationCount: 10)]
public class VectorSearchDramBenchmark
{
    private const int K = 10;
    private float[] _query = [];
    private FlatVectorIndex _index = null!;
    private QuantizedVectorIndex _quantized = null!;

    /// <summary>Rows x dimensions.</summary>
    [Params("1000000x384")]
    public string Shape { get; set; } = "1000000x384";

    [GlobalSetup]
    public void Setup()
    {
        (int n, int d) = VectorBenchData.ParseShape(Shape);
        var rng = new Random(42);
        _index = new FlatVectorIndex(d) { MaxDegreeOfParallelism = 1 };
        _quantized = new QuantizedVectorIndex(d);
        float[] row = new float[d];
        float[][] sample = new float[1000][];
        for (int i = 0; i < n; i++)
        {
            VectorBenchData.RandomRow(rng, row);
            string key = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _index.Add(key, row);
            _quantized.Add(key, row);
            if (i % (n / sample.Length) == 0 && i / (n / sample.Length) < sample.Length)
            {
                sample[i / (n / sample.Length)] = row.ToArray();
            }
        }

        _query = sample[7].ToArray();
        _query[0] += 0.1f;
        VectorBenchData.PrintInt8Recall(_index, _quantized, sample, Shape);
    }

    /// <summary>The floor's process also prints the paired measurement (see <see cref="VectorBenchData.PrintPaired"/>).</summary>
    [GlobalSetup(Target = nameof(F32Floor))]
    public void SetupWithPairs()
    {
        Setup();
        VectorBenchData.PrintPaired(Shape, 12, _index, _quantized, _query);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _index.Dispose();
        _quantized.Dispose();
    }

    [Benchmark(Baseline = true)]
    public float F32Floor() => VectorBenchData.FloorF32(_index);

    [Benchmark]
    public IReadOnlyList<VectorSearchResult> Flat1Thread() => _index.SearchAllScopes(_query, K);

    [Benchmark]
    public int Int8Floor() => VectorBenchData.FloorInt8(_quantized);

    [Benchmark]
    public IReadOnlyList<VectorSearchResult> Int8Rescored1Thread() => _quantized.SearchAllScopes(_query, K);
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

[StructLayout(LayoutKind.Sequential)]

internal static class VectorBenchData
{
    public static (int N, int D) ParseShape(string shape)
    {
        string[] parts = shape.Split('x');
        return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    public static void RandomRow(Random rng, float[] row)
    {
        for (int j = 0; j < row.Length; j++)
        {
            row[j] = (float)((rng.NextDouble() * 2) - 1);
        }

        VectorMath.Normalize(row);
    }

    public static (FlatVectorIndex Flat, QuantizedVectorIndex Quantized) BuildIndexes(float[][] rows, int d)
    {
        var index = new FlatVectorIndex(d);
        var quantized = new QuantizedVectorIndex(d);
        for (int i = 0; i < rows.Length; i++)
        {
            string key = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            index.Add(key, rows[i]);
            quantized.Add(key, rows[i]);
        }

        return (index, quantized);
    }

    /// <summary>First query after build vs steady state (AggressiveOptimization means no tier-0 kernel).</summary>
    public static void PrintFirstQuery(FlatVectorIndex index, float[] query, string shape)
    {
        index.MaxDegreeOfParallelism = 1;
        var sw = Stopwatch.StartNew();
        index.SearchAllScopes(query, 10);
        double first = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        for (int i = 0; i < 20; i++)
        {
            index.SearchAllScopes(query, 10);
        }

        double steady = sw.Elapsed.TotalMilliseconds / 20;
        Console.WriteLine($"// FIRST-QUERY {shape}: first {first:F3} ms, steady {steady:F3} ms, ratio {first / steady:F2}");
    }

    /// <summary>Recall@10 of the int8 index against exact search, over 100 perturbed rows as queries.</summary>
    public static void PrintInt8Recall(FlatVectorIndex exact, QuantizedVectorIndex quantized, float[][] rows, string shape)
    {
        var rng = new Random(11);
        int hits = 0, mismatchedScores = 0;
        const int queries = 100;
        for (int q = 0; q < queries; q++)
        {
            float[] query = rows[rng.Next(rows.Length)].ToArray();
            for (int j = 0; j < query.Length; j++)
            {
                query[j] += (float)((rng.NextDouble() - 0.5) * 0.05);
            }

            var truth = exact.SearchAllScopes(query, 10).ToDictionary(r => r.Key, r => r.Score);
            foreach (var r in quantized.SearchAllScopes(query, 10))
            {
                if (truth.TryGetValue(r.Key, out float score))
                {
                    hits++;
                    mismatchedScores += score == r.Score ? 0 : 1;
                }
            }
        }

        Console.WriteLine($"// INT8-RECALL {shape}: recall@10 vs exact {hits / (queries * 10.0):F3} over {queries} queries; {mismatchedScores} rescored scores differ from exact");
    }

    /// <summary>
    /// The four scans of issue 16 measured in turn, round after round, in one process: with about 30 runnable threads
    /// on 2 cores, runs minutes apart see different machines, so ratios are taken within a round's neighbourhood
    /// (minimum and median over rounds), by wall clock and by this thread's CPU time (which leaves out the time the
    /// thread waited for a core, not the time it waited for memory).
    /// </summary>
    public static void PrintPaired(string shape, int rounds, FlatVectorIndex flat, QuantizedVectorIndex quantized, float[] query)
    {
        flat.MaxDegreeOfParallelism = 1;
        (string Name, Func<double> Run)[] cases =
        [
            ("F32Floor", () => FloorF32(flat)),
            ("Flat1Thread", () => flat.SearchAllScopes(query, 10).Count),
            ("Int8Floor", () => FloorInt8(quantized)),
            ("Int8Rescored1Thread", () => quantized.SearchAllScopes(query, 10).Count),
        ];
        var wall = new List<double>[cases.Length];
        var cpu = new List<double>[cases.Length];
        for (int c = 0; c < cases.Length; c++)
        {
            wall[c] = [];
            cpu[c] = [];
        }

        double sink = 0;
        for (int round = 0; round < rounds + 2; round++)
        {
            for (int c = 0; c < cases.Length; c++)
            {
                double cpu0 = ThreadCpuMilliseconds();
                long t0 = Stopwatch.GetTimestamp();
                sink += cases[c].Run();
                double w = Stopwatch.GetElapsedTime(t0).TotalMilliseconds, u = ThreadCpuMilliseconds() - cpu0;
                if (round >= 2)
                {
                    wall[c].Add(w);
                    cpu[c].Add(u);
                }
            }
        }

        for (int c = 0; c < cases.Length; c++)
        {
            Console.WriteLine($"// PAIRED {shape} {cases[c].Name}: wall min {wall[c].Min():F3} ms, median {Median(wall[c]):F3} ms; thread CPU min {cpu[c].Min():F3} ms, median {Median(cpu[c]):F3} ms ({rounds} rounds, sink {sink:G3})");
        }

        void Ratio(string what, int a, int b) => Console.WriteLine(
            $"// PAIRED {shape} {what}: wall min {wall[a].Min() / wall[b].Min():F3}, median {Median(wall[a]) / Median(wall[b]):F3}; CPU min {cpu[a].Min() / cpu[b].Min():F3}, median {Median(cpu[a]) / Median(cpu[b]):F3}");
        Ratio("Flat1Thread / F32Floor", 1, 0);
        Ratio("Int8Rescored1Thread / Int8Floor", 3, 2);
        Ratio("Flat1Thread / Int8Rescored1Thread (int8 speed-up)", 1, 3);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }

    private static double ThreadCpuMilliseconds() => ThreadCpuTime.Microseconds() / 1e3;

    public static float FloorF32(FlatVectorIndex index)
    {
        VectorPartition p = index.PartitionArray[0];
        return Floor(p.Data, (long)p.RowCount * p.Dimensions);
    }

    public static int FloorInt8(QuantizedVectorIndex index)
    {
        VectorPartition p = index.PartitionArray[0];
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(p.Codes.AsSpan(0, p.RowCount * p.Dimensions));
        ReadOnlySpan<int> words = MemoryMarshal.Cast<byte, int>(bytes);
        ref int w0 = ref MemoryMarshal.GetReference(words);
        nuint n = (nuint)words.Length;
        nuint w = (nuint)Vector512<int>.Count;
        Vector512<int> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        for (; i + (4 * w) <= n; i += 4 * w)
        {
            a0 += Vector512.LoadUnsafe(ref w0, i);
            a1 += Vector512.LoadUnsafe(ref w0, i + w);
            a2 += Vector512.LoadUnsafe(ref w0, i + (2 * w));
            a3 += Vector512.LoadUnsafe(ref w0, i + (3 * w));
        }

        return Vector512.Sum((a0 + a1) + (a2 + a3));
    }

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

    public static float Floor(float[] flat) => Floor(flat, flat.LongLength);

    public static float Floor(float[] flat, long length)
    {
        ref float p = ref MemoryMarshal.GetArrayDataReference(flat);
        nuint n = (nuint)length;
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
        // The graph takes minutes to build on 2 shared cores; it is built once and kept in the temp folder (the data
        // are deterministic: seed 42).
        string cache = Path.Combine(Path.GetTempPath(), $"llmops-usearch-{shape}-seed42-c16-e128.usearch");
        var sw = Stopwatch.StartNew();
        USearchIndex index;
        if (File.Exists(cache))
        {
            index = new USearchIndex(cache, false);
        }
        else
        {
            index = new USearchIndex(MetricKind.Cos, ScalarKind.Float32, (ulong)rows[0].Length, 16, 128, 64, false);
            for (int i = 0; i < rows.Length; i++)
            {
                index.Add((ulong)i, rows[i]);
            }

            index.Save(cache);
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

        Console.WriteLine($"// USEARCH {shape}: build or load {buildMs:F0} ms ({index.HardwareAcceleration()}), recall@10 vs exact {hits / (double)total:F3} over {queries} queries");
        return index;
    }
}
