using LlmOps.IO;
using LlmOps.Vectors;

namespace LlmOps.Retrieval;

/// <content>
/// Persistence, in the container shared with <see cref="FlatVectorIndex"/> (magic, version, flags, body, XxHash64
/// checksum; atomic file save). Body, little-endian, integers 7-bit encoded unless noted:
/// <list type="number">
/// <item>the analyzer's <see cref="ITextAnalyzer.Name"/> (length-prefixed UTF-8);</item>
/// <item>the number of partitions; per partition: has-scope byte, the scope (when present), the number of terms and
/// the terms, the number of documents, then per document its key, its length and its (term id, frequency) pairs.</item>
/// </list>
/// Magic <c>LLMOPSBM</c>, version 1. k1 and b are not saved: they belong to the index that loads the data.
/// </content>
public sealed partial class Bm25Index
{
    private const ushort FormatVersion = 1;
    private const string What = "BM25 index";
    private static readonly byte[] Magic = "LLMOPSBM"u8.ToArray();

    /// <summary>Writes the index to a stream.</summary>
    /// <param name="destination">A writable stream; it is not closed.</param>
    /// <remarks>Writes wait while the index is being saved; searches continue.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is <see langword="null"/>.</exception>
    public void Save(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        _lock.EnterReadLock();
        try
        {
            ChecksummedFile.Write(destination, Magic, FormatVersion, w =>
            {
                w.Write(_analyzer.Name);
                w.Write7BitEncodedInt(_scoped.Count + 1);
                WritePartition(w, _unscoped);
                foreach (Bm25Partition p in _scoped.Values)
                {
                    WritePartition(w, p);
                }
            });
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Saves the index to a file atomically (a temporary file in the same folder, then a rename).</summary>
    /// <param name="path">The file path; an existing file is replaced only once the new one is complete.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    public void SaveToFile(string path) => AtomicFile.Write(path, Save);

    /// <summary>Reads an index saved by <see cref="Save(Stream)"/>.</summary>
    /// <param name="source">A readable stream positioned at the start of the saved index.</param>
    /// <param name="options">The options of the new index; defaults when <see langword="null"/>. Its analyzer must have built the data.</param>
    /// <returns>A new index.</returns>
    /// <exception cref="RetrievalIndexFormatException">The data is truncated, corrupted, of another version or analyzer.</exception>
    public static Bm25Index Load(Stream source, Bm25Options? options = null)
    {
        var index = new Bm25Index(options);
        index.ReplaceFrom(source);
        return index;
    }

    /// <summary>Reads an index from a file written by <see cref="SaveToFile(string)"/>.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="options">The options of the new index; defaults when <see langword="null"/>.</param>
    /// <returns>A new index.</returns>
    /// <exception cref="RetrievalIndexFormatException">The file is truncated, corrupted, of another version or analyzer; the message names the file.</exception>
    public static Bm25Index LoadFromFile(string path, Bm25Options? options = null)
    {
        var index = new Bm25Index(options);
        index.ReplaceFromFile(path);
        return index;
    }

    /// <summary>
    /// Replaces the contents of this index with an index read from a stream. The data is read and verified in full
    /// first; if it is invalid, this index is left unchanged.
    /// </summary>
    /// <param name="source">A readable stream positioned at the start of the saved index.</param>
    /// <exception cref="RetrievalIndexFormatException">The data is truncated, corrupted, of another version or analyzer.</exception>
    public void ReplaceFrom(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        List<Bm25Partition> partitions = ChecksummedFile.Read(
            source, Magic, FormatVersion, What, ReadBody, static (message, inner) => new RetrievalIndexFormatException(message, inner));
        _lock.EnterWriteLock();
        try
        {
            _scoped.Clear();
            _unscoped = new Bm25Partition(null);
            _count = 0;
            foreach (Bm25Partition p in partitions)
            {
                if (p.Scope is null)
                {
                    _unscoped = p;
                }
                else
                {
                    _scoped[p.Scope] = p;
                }

                _count += p.LiveCount;
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Replaces the contents of this index with an index read from a file. The file is read and verified in full
    /// first; if it is invalid, this index is left unchanged.
    /// </summary>
    /// <param name="path">The file path.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="RetrievalIndexFormatException">The file is truncated, corrupted, of another version or analyzer; the message names the file.</exception>
    public void ReplaceFromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            ReplaceFrom(fs);
        }
        catch (RetrievalIndexFormatException ex)
        {
            throw new RetrievalIndexFormatException($"Cannot load the BM25 index file '{Path.GetFullPath(path)}'. {ex.Message}", ex.InnerException)
            {
                FilePath = Path.GetFullPath(path),
            };
        }
    }

    private static void WritePartition(BinaryWriter w, Bm25Partition p)
    {
        w.Write(p.Scope is not null);
        if (p.Scope is not null)
        {
            w.Write(p.Scope);
        }

        w.Write7BitEncodedInt(p.Terms.Count);
        foreach (string term in p.Terms)
        {
            w.Write(term);
        }

        w.Write7BitEncodedInt(p.LiveCount);
        for (int slot = 0; slot < p.SlotCount; slot++)
        {
            if (p.Keys[slot] is not string key)
            {
                continue;
            }

            w.Write(key);
            w.Write7BitEncodedInt(p.Lengths[slot]);
            int[] pairs = p.DocTerms[slot]!;
            w.Write7BitEncodedInt(pairs.Length / 2);
            foreach (int value in pairs)
            {
                w.Write7BitEncodedInt(value);
            }
        }
    }

    private List<Bm25Partition> ReadBody(BinaryReader r)
    {
        string analyzer = r.ReadString();
        if (analyzer != _analyzer.Name)
        {
            throw new RetrievalIndexFormatException(
                $"The saved BM25 index was built with the analyzer '{analyzer}', but this index uses '{_analyzer.Name}'. Load it with Bm25Options.Analyzer set to the analyzer that built it, or rebuild it.");
        }

        int partitionCount = ReadCount(r);
        var partitions = new List<Bm25Partition>(Math.Min(partitionCount, 1024));
        var seenScopes = new HashSet<string?>();
        for (int i = 0; i < partitionCount; i++)
        {
            string? scope = r.ReadBoolean() ? r.ReadString() : null;
            if (!seenScopes.Add(scope))
            {
                throw new FormatException($"The scope '{scope}' appears twice.");
            }

            var p = new Bm25Partition(scope);
            int termCount = ReadCount(r);
            for (int t = 0; t < termCount; t++)
            {
                if (p.InternTerm(r.ReadString()) != t)
                {
                    throw new FormatException("A term appears twice.");
                }
            }

            int docCount = ReadCount(r);
            for (int d = 0; d < docCount; d++)
            {
                string key = r.ReadString();
                int length = ReadCount(r);
                int pairCount = ReadCount(r);
                if (pairCount > termCount)
                {
                    throw new FormatException($"Document '{key}' claims {pairCount} distinct terms of {termCount}.");
                }

                int[] pairs = new int[pairCount * 2];
                for (int j = 0; j < pairs.Length; j += 2)
                {
                    int term = ReadCount(r);
                    int frequency = ReadCount(r);
                    if (term >= termCount || frequency == 0)
                    {
                        throw new FormatException($"Document '{key}' refers to term {term} of {termCount} with frequency {frequency}.");
                    }

                    pairs[j] = term;
                    pairs[j + 1] = frequency;
                }

                if (p.TryGetSlot(key, out _))
                {
                    throw new FormatException($"The key '{key}' appears twice in one scope.");
                }

                p.Add(key, pairs, length);
            }

            partitions.Add(p);
        }

        return partitions;
    }

    private static int ReadCount(BinaryReader r)
    {
        int value = r.Read7BitEncodedInt();
        return value >= 0 ? value : throw new FormatException($"A count is negative ({value}).");
    }
}
