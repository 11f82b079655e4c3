using System.Buffers;
using Microsoft.Extensions.Logging;

namespace LlmOps.Vectors;

/// <summary>
/// A nearest-neighbour index that scans int8-quantised vectors (a quarter of the float32 bytes) and rescores the
/// best <c>k × <see cref="Oversample"/></c> candidates exactly in float32.
/// </summary>
/// <remarks>
/// Each normalised row is stored as int8 codes with one float scale per row (symmetric, max-abs / 127), alongside the
/// float32 row used for rescoring. Scores returned are exact float32 cosine similarities; only the candidate set is
/// approximate. Keys, scopes, persistence and consistency are those of <see cref="VectorIndex"/>.
/// </remarks>
public sealed class QuantizedVectorIndex : VectorIndex
{
    /// <summary>Initializes a new, empty quantised index.</summary>
    /// <param name="dimensions">The number of components of every vector; must be positive.</param>
    /// <param name="oversample">How many candidates per requested result are rescored in float32; must be at least 1.</param>
    /// <param name="logger">Where failures the index absorbs are logged (EventIds 1500–1599); <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    public QuantizedVectorIndex(int dimensions, int oversample = 4, ILogger? logger = null)
        : this(new VectorStore(dimensions, quantized: true), oversample, logger)
    {
    }

    private QuantizedVectorIndex(VectorStore store, int oversample, ILogger? logger)
        : base(store, logger)
    {
        if (oversample < 1)
        {
            store.Dispose();
            throw new ArgumentOutOfRangeException(nameof(oversample), oversample, "Oversample must be at least 1; 4 gives recall@10 above 0.99 on sentence embeddings.");
        }

        Oversample = oversample;
    }

    /// <summary>Gets how many candidates per requested result are rescored in float32.</summary>
    /// <value>The default value is 4.</value>
    public int Oversample { get; }

    /// <summary>Reads an index saved by <see cref="VectorIndex.Save(Stream)"/> of either index type; the int8 codes are rebuilt.</summary>
    /// <param name="source">A readable stream.</param>
    /// <param name="oversample">How many candidates per requested result are rescored; must be at least 1.</param>
    /// <param name="logger">Where failures the index absorbs are logged (EventIds 1500–1599); <see langword="null"/> logs nothing.</param>
    /// <returns>The loaded index.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="oversample"/> is below 1.</exception>
    /// <exception cref="VectorIndexFormatException">The data is truncated, corrupted or of an unsupported version.</exception>
    public static QuantizedVectorIndex Load(Stream source, int oversample = 4, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(oversample, 1);
        return new(VectorIndexFile.Load(source, quantized: true, expectedDimensions: null), oversample, logger);
    }

    /// <summary>Reads an index from a file written by <see cref="VectorIndex.SaveToFile(string)"/> of either index type.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="oversample">How many candidates per requested result are rescored; must be at least 1.</param>
    /// <param name="logger">Where failures the index absorbs are logged (EventIds 1500–1599); <see langword="null"/> logs nothing.</param>
    /// <returns>The loaded index.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="oversample"/> is below 1.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="VectorIndexFormatException">The file is truncated, corrupted or of an unsupported version.</exception>
    public static QuantizedVectorIndex LoadFromFile(string path, int oversample = 4, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(oversample, 1);
        using FileStream fs = VectorIndexFile.OpenRead(path);
        return Load(fs, oversample, logger);
    }

    /// <inheritdoc/>
    private protected override VectorSearchResult[] SearchCore(ReadOnlySpan<float> query, float inverseNorm, int k, PartitionRange range, int live)
    {
        int dim = Dimensions;
        float[] normalized = ArrayPool<float>.Shared.Rent(dim);
        sbyte[] codes = ArrayPool<sbyte>.Shared.Rent(dim);
        VectorPartition[] parts = Store.Partitions;
        var candidates = new TopK((int)Math.Min((long)k * Oversample, live), parts);
        var final = new TopK(k, parts);
        try
        {
            Span<float> nq = normalized.AsSpan(0, dim);
            System.Numerics.Tensors.TensorPrimitives.Multiply(query, inverseNorm, nq);
            Int8Quantizer.Quantize(nq, codes.AsSpan(0, dim));
            for (int i = range.First; i < range.End; i++)
            {
                Int8Kernels.Scan(parts[i], i, 0, parts[i].RowCount, codes.AsSpan(0, dim), ref candidates);
            }

            // Rescored with the flat index's own kernel and scale, so a hit's score is bit-identical to FlatVectorIndex's.
            for (int i = 0; i < candidates.Count; i++)
            {
                Candidate c = candidates[i];
                final.Offer(ScanKernels.RowDot(parts[c.Part].Row(c.Row), query), c.Part, c.Row);
            }

            return final.ToResults(inverseNorm);
        }
        finally
        {
            candidates.Dispose();
            final.Dispose();
            ArrayPool<float>.Shared.Return(normalized);
            ArrayPool<sbyte>.Shared.Return(codes);
        }
    }
}
