namespace LlmOps.Caching;

/// <summary>
/// Where each open-class word of a question's <see cref="SemanticCacheFingerprint.Sequence"/> sits in the word tables
/// that the pair check reads (<see cref="CacheWordRelations"/>, <see cref="CacheWordVectors"/>). Looked up once per
/// fingerprint (<see cref="SemanticCacheFingerprint.PairIndexes"/>), so a lookup that checks several candidates finds the
/// new question's words once, and a cached question's words once in its entry's lifetime.
/// </summary>
/// <remarks>Thread-safe: read-only after construction.</remarks>
internal sealed class CachePairWordIndexes
{
    private readonly int[] _relations;
    private readonly int[] _vectors;

    private CachePairWordIndexes(int[] relations, int[] vectors)
    {
        _relations = relations;
        _vectors = vectors;
    }

    /// <summary>Gets, per word, its entry in <see cref="CacheWordRelations.Default"/> (-1 when absent or not an open-class word).</summary>
    public ReadOnlySpan<int> Relations => _relations;

    /// <summary>Gets, per word, its entry in <see cref="CacheWordVectors.Default"/> (-1 when absent or not an open-class word).</summary>
    public ReadOnlySpan<int> Vectors => _vectors;

    /// <summary>Looks up the open-class words (content words, names, antonym-table words, comparatives) of a sequence.</summary>
    /// <param name="sequence">The tokens of <see cref="CachePairTokenizer"/>.</param>
    /// <returns>The indexes.</returns>
    public static CachePairWordIndexes Of(ReadOnlySpan<ulong> sequence)
    {
        var relationTable = CacheWordRelations.Default;
        var vectorTable = CacheWordVectors.Default;
        var relations = new int[sequence.Length];
        var vectors = new int[sequence.Length];
        for (var i = 0; i < sequence.Length; i++)
        {
            var open = CachePairFeatures.IsMeaningClass(sequence[i]);
            relations[i] = open ? relationTable.IndexOf(sequence[i]) : -1;
            vectors[i] = open ? vectorTable.IndexOf(sequence[i]) : -1;
        }

        return new CachePairWordIndexes(relations, vectors);
    }
}
