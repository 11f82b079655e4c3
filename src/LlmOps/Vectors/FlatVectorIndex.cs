using System.Buffers;
using Microsoft.Extensions.Logging;

namespace LlmOps.Vectors;

/// <summary>
/// An in-memory exact nearest-neighbour index over normalised float32 vectors, searched by cosine similarity.
/// Entries have a caller-chosen string key and an optional scope (a tenant, say); <see cref="VectorIndex.Search(ReadOnlySpan{float}, int, string)"/>
/// touches only that scope's rows, and <see cref="VectorIndex.SearchAllScopes"/> reads every scope.
/// </summary>
/// <remarks>
/// Storage, consistency and persistence are described on <see cref="VectorIndex"/>. Searches over more than 32 MB
/// of rows are split across cores (<see cref="MaxDegreeOfParallelism"/>).
/// </remarks>
public sealed class FlatVectorIndex : VectorIndex
{
    /// <summary>
    /// The row bytes above which one search is split across cores: 32 MB, about 21,800 rows of 384 floats.
    /// </summary>
    /// <remarks>
    /// Measured on 2 shared cores (VectorParallelThresholdBenchmark, three runs, benchmarks/results/VectorSearchBenchmark.md,
    /// "Parallel threshold"), split / one-thread time at 384 dimensions was: 4k rows (6 MB) 1.07-1.20, a loss in every
    /// run; 1k, 10k and 20k rows (1.5-31 MB) 0.30-2.69, a loss while other agents kept the second core busy and a win
    /// while it was idle; 30k rows (46 MB) and more 0.44-0.88, a win in every run. The fork/join costs microseconds and
    /// 2 KB, and on a busy server the other core is rarely free, so small scans (a semantic cache partition, say) stay
    /// on the calling thread.
    /// </remarks>
    internal const long DefaultParallelThresholdBytes = 32L << 20;

    private int _maxDegreeOfParallelism = Environment.ProcessorCount;

    /// <summary>Initializes a new, empty index for vectors of the given dimension.</summary>
    /// <param name="dimensions">The number of components of every vector; must be positive.</param>
    /// <param name="logger">Where failures the index absorbs are logged (EventIds 1500–1599); <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimensions"/> is zero or negative.</exception>
    public FlatVectorIndex(int dimensions, ILogger? logger = null)
        : base(new VectorStore(dimensions, quantized: false), logger)
    {
    }

    private FlatVectorIndex(VectorStore store, ILogger? logger)
        : base(store, logger)
    {
    }

    /// <summary>
    /// Gets or sets how many cores one search over more than 32 MB of rows (about 21,800 × 384 floats) may use.
    /// </summary>
    /// <value>The default value is <see cref="Environment.ProcessorCount"/>; 1 keeps every search on the calling thread.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxDegreeOfParallelism = value;
        }
    }

    /// <summary>Gets or sets the split threshold; only benchmarks and tests change it (0 splits every search).</summary>
    internal long ParallelThresholdBytes { get; set; } = DefaultParallelThresholdBytes;

    /// <summary>Reads an index saved by <see cref="VectorIndex.Save(Stream)"/>.</summary>
    /// <param name="source">A readable stream positioned at the start of the saved index.</param>
    /// <param name="logger">Where failures the index absorbs are logged (EventIds 1500–1599); <see langword="null"/> logs nothing.</param>
    /// <returns>A new index with the saved entries.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="VectorIndexFormatException">The data is truncated, corrupted or of an unsupported version.</exception>
    public static FlatVectorIndex Load(Stream source, ILogger? logger = null) => new(VectorIndexFile.Load(source, quantized: false, expectedDimensions: null), logger);

    /// <summary>Reads an index from a file written by <see cref="VectorIndex.SaveToFile(string)"/>.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="logger">Where failures the index absorbs are logged (EventIds 1500–1599); <see langword="null"/> logs nothing.</param>
    /// <returns>A new index with the saved entries.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="VectorIndexFormatException">The file is truncated, corrupted or of an unsupported version.</exception>
    public static FlatVectorIndex LoadFromFile(string path, ILogger? logger = null)
    {
        using FileStream fs = VectorIndexFile.OpenRead(path);
        return Load(fs, logger);
    }

    /// <summary>Searches several queries within one scope in one pass over that scope's rows.</summary>
    /// <param name="queries">The queries, concatenated: <c>queryCount × Dimensions</c> values.</param>
    /// <param name="k">How many results to return per query.</param>
    /// <param name="scope">The scope to search; <see langword="null"/> searches only the entries without a scope.</param>
    /// <returns>One result list per query, in query order; each equals what <see cref="VectorIndex.Search(ReadOnlySpan{float}, int, string)"/> returns for that query.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is zero or negative.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="queries"/> is not a positive multiple of <see cref="VectorIndex.Dimensions"/>, or a query is zero or not finite.</exception>
    public IReadOnlyList<VectorSearchResult>[] SearchBatch(ReadOnlySpan<float> queries, int k, string? scope) => SearchBatch(queries, k, scope, allScopes: false);

    /// <summary>
    /// Searches several queries across every scope in one pass over the rows, so each row is read from memory once
    /// for all of them. In a multi-tenant index this reads every tenant's rows; use <see cref="SearchBatch(ReadOnlySpan{float}, int, string)"/> to read one.
    /// </summary>
    /// <param name="queries">The queries, concatenated: <c>queryCount × Dimensions</c> values.</param>
    /// <param name="k">How many results to return per query.</param>
    /// <returns>One result list per query, in query order; each equals what <see cref="VectorIndex.SearchAllScopes"/> returns for that query.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is zero or negative.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="queries"/> is not a positive multiple of <see cref="VectorIndex.Dimensions"/>, or a query is zero or not finite.</exception>
    public IReadOnlyList<VectorSearchResult>[] SearchBatchAllScopes(ReadOnlySpan<float> queries, int k) => SearchBatch(queries, k, null, allScopes: true);

    /// <inheritdoc/>
    private protected override VectorSearchResult[] SearchCore(ReadOnlySpan<float> query, float inverseNorm, int k, PartitionRange range, int live)
    {
        VectorPartition[] parts = Store.Partitions;
        long rows = 0;
        for (int i = range.First; i < range.End; i++)
        {
            rows += parts[i].RowCount;
        }

        var heap = new TopK(k, parts);
        try
        {
            if (rows * Dimensions * sizeof(float) > ParallelThresholdBytes && _maxDegreeOfParallelism > 1 && rows > 1)
            {
                ParallelScan(parts, range, rows, query, ref heap);
            }
            else
            {
                for (int i = range.First; i < range.End; i++)
                {
                    ScanKernels.ScanFloat(parts[i], i, 0, parts[i].RowCount, query, ref heap);
                }
            }

            return heap.ToResults(inverseNorm);
        }
        finally
        {
            heap.Dispose();
        }
    }

    private void ParallelScan(VectorPartition[] parts, PartitionRange range, long rows, ReadOnlySpan<float> query, ref TopK heap)
    {
        // Each chunk gets at least half the threshold, so a search just above it splits in two, not in DOP pieces.
        long bytesPerChunk = Math.Max(1, ParallelThresholdBytes / 2);
        int chunks = (int)Math.Min(Math.Min(_maxDegreeOfParallelism, rows), Math.Max(2, rows * Dimensions * sizeof(float) / bytesPerChunk));
        int dimensions = Dimensions;
        float[] q = ArrayPool<float>.Shared.Rent(query.Length);
        var heaps = new TopK[chunks];
        try
        {
            query.CopyTo(q);
            int capacity = heap.Capacity;
            Parallel.For(0, chunks, c =>
            {
                heaps[c] = new TopK(capacity, parts);
                long from = rows * c / chunks, to = rows * (c + 1) / chunks;
                long offset = 0;
                ReadOnlySpan<float> qs = q.AsSpan(0, dimensions);
                for (int i = range.First; i < range.End && offset < to; i++)
                {
                    int n = parts[i].RowCount;
                    long s = Math.Max(from, offset), e = Math.Min(to, offset + n);
                    if (s < e)
                    {
                        ScanKernels.ScanFloat(parts[i], i, (int)(s - offset), (int)(e - offset), qs, ref heaps[c]);
                    }

                    offset += n;
                }
            });

            for (int c = 0; c < chunks; c++)
            {
                heap.Merge(ref heaps[c]);
            }
        }
        finally
        {
            for (int c = 0; c < chunks; c++)
            {
                heaps[c].Dispose();
            }

            ArrayPool<float>.Shared.Return(q);
        }
    }

    private IReadOnlyList<VectorSearchResult>[] SearchBatch(ReadOnlySpan<float> queries, int k, string? scope, bool allScopes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        int dimensions = Dimensions;
        if (queries.IsEmpty || queries.Length % dimensions != 0)
        {
            throw new ArgumentException($"The queries span holds {queries.Length} values, which is not a positive multiple of the index dimension {dimensions}. Concatenate whole query vectors.", nameof(queries));
        }

        int count = queries.Length / dimensions;
        float[] invNorms = new float[count];
        for (int i = 0; i < count; i++)
        {
            invNorms[i] = VectorMath.InverseNorm(queries.Slice(i * dimensions, dimensions), nameof(queries));
        }

        var results = new IReadOnlyList<VectorSearchResult>[count];
        Store.Lock.EnterReadLock();
        try
        {
            VectorPartition[] parts = Store.Partitions;
            PartitionRange range = Store.Select(scope, allScopes);
            int live = LiveRows(range);
            if (live == 0)
            {
                Array.Fill(results, []);
                return results;
            }

            var heaps = new TopK[count];
            try
            {
                for (int i = 0; i < count; i++)
                {
                    heaps[i] = new TopK(Math.Min(k, live), parts);
                }

                for (int i = range.First; i < range.End; i++)
                {
                    ScanKernels.ScanFloatBatch(parts[i], i, 0, parts[i].RowCount, queries, count, heaps);
                }

                for (int i = 0; i < count; i++)
                {
                    results[i] = heaps[i].ToResults(invNorms[i]);
                }
            }
            finally
            {
                for (int i = 0; i < count; i++)
                {
                    heaps[i].Dispose();
                }
            }

            return results;
        }
        finally
        {
            Store.Lock.ExitReadLock();
        }
    }
}
