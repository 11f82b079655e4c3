using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using LlmOps.IO;
using Microsoft.Extensions.Logging;

namespace LlmOps.Vectors;

/// <summary>
/// Persistence of a <see cref="VectorStore"/>. Binary format, little-endian:
/// <list type="number">
/// <item>magic: the 8 ASCII bytes <c>LLMOPSVI</c>;</item>
/// <item>version: uint16, currently 1; flags: uint16, reserved, 0;</item>
/// <item>dimensions: int32; count: int32;</item>
/// <item><c>count</c> entries: key (7-bit-length-prefixed UTF-8), has-scope byte (0 or 1), scope (same encoding, when present),
/// then <c>dimensions</c> float32 values of the normalised vector;</item>
/// <item>checksum: uint64 XxHash64 of every preceding byte.</item>
/// </list>
/// Quantised stores write the same format (float32 rows); their int8 codes are rebuilt on load.
/// </summary>
internal static class VectorIndexFile
{
    internal const ushort FormatVersion = 1;
    private static readonly byte[] Magic = "LLMOPSVI"u8.ToArray();

    /// <summary>Writes the store; writes to it wait meanwhile, searches continue.</summary>
    public static void Save(VectorStore store, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        store.Lock.EnterReadLock();
        try
        {
            var hashing = new HashingStream(destination, writing: true);
            using (var w = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true))
            {
                w.Write(Magic);
                w.Write(FormatVersion);
                w.Write((ushort)0);
                w.Write(store.Dimensions);
                w.Write(store.LiveCount);
                for (int i = 0; i < store.PartitionCount; i++)
                {
                    VectorPartition p = store.Partitions[i];
                    for (int row = 0; row < p.RowCount; row++)
                    {
                        string? key = p.Keys[row];
                        if (key is null)
                        {
                            continue;
                        }

                        w.Write(key);
                        w.Write(p.Scope is not null);
                        if (p.Scope is not null)
                        {
                            w.Write(p.Scope);
                        }

                        w.Write(MemoryMarshal.AsBytes(p.Row(row)));
                    }
                }
            }

            Span<byte> checksum = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(checksum, hashing.Hash);
            destination.Write(checksum);
            destination.Flush();
        }
        finally
        {
            store.Lock.ExitReadLock();
        }
    }

    /// <summary>Saves a store atomically (<see cref="AtomicFile"/>).</summary>
    /// <remarks>
    /// On failure the temporary file is deleted and the failure rethrown. If the delete fails too, the caller still
    /// gets the save's exception (not the delete's), and the leftover file is logged (<see cref="VectorsLog.TempFileNotDeleted"/>).
    /// </remarks>
    public static void SaveToFile(VectorStore store, string path, ILogger logger) =>
        AtomicFile.Write(path, stream => Save(store, stream), deleteFailed: DeleteFailed(logger));

    /// <summary>Logs a temporary file that a failed save could not delete (EventId 1500).</summary>
    internal static Action<string, Exception> DeleteFailed(ILogger logger) =>
        (temp, exception) => VectorsLog.TempFileNotDeleted(logger, exception, temp);

    public static FileStream OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    }

    /// <summary>Reads and verifies a saved store in full; nothing is returned unless the whole file is valid.</summary>
    public static VectorStore Load(Stream source, bool quantized, int? expectedDimensions)
    {
        ArgumentNullException.ThrowIfNull(source);
        var hashing = new HashingStream(source, writing: false);
        VectorStore? store = null;
        try
        {
            using var r = new BinaryReader(hashing, Encoding.UTF8, leaveOpen: true);
            Span<byte> magic = stackalloc byte[8];
            r.BaseStream.ReadExactly(magic);
            if (!magic.SequenceEqual(Magic))
            {
                throw new VectorIndexFormatException("The data is not a saved LlmOps vector index (the LLMOPSVI header is missing). Check that the file was written by FlatVectorIndex.Save or QuantizedVectorIndex.Save.");
            }

            ushort version = r.ReadUInt16();
            if (version != FormatVersion)
            {
                throw new VectorIndexFormatException($"The saved vector index has format version {version}, but this library reads version {FormatVersion}. Re-create the index with this library version.");
            }

            _ = r.ReadUInt16();
            int dims = r.ReadInt32();
            int count = r.ReadInt32();
            if (dims <= 0 || count < 0)
            {
                throw new VectorIndexFormatException($"The saved vector index header is corrupted (dimensions {dims}, count {count}).");
            }

            if (expectedDimensions is int expected && expected != dims)
            {
                throw new VectorIndexFormatException($"The saved vector index holds {dims}-dimensional vectors but this index holds {expected}-dimensional vectors. Load it into an index of the same dimension.");
            }

            store = new VectorStore(dims, quantized);
            float[] vector = new float[dims];
            Span<byte> bytes = MemoryMarshal.AsBytes(vector.AsSpan());
            for (int i = 0; i < count; i++)
            {
                string key = r.ReadString();
                string? scope = r.ReadBoolean() ? r.ReadString() : null;
                r.BaseStream.ReadExactly(bytes);

                // Saved rows are unit length already: validated (finite, not zero) but not rescaled, which could
                // change the bits a search compares.
                _ = VectorMath.InverseNorm(vector, nameof(source));
                if (store.Write(key, vector, scope, allowReplace: false) is null)
                {
                    throw new ArgumentException($"An entry with key '{key}' appears twice.", nameof(source));
                }
            }

            ulong computed = hashing.Hash;
            Span<byte> checksum = stackalloc byte[8];
            source.ReadExactly(checksum);
            if (BinaryPrimitives.ReadUInt64LittleEndian(checksum) != computed)
            {
                throw new VectorIndexFormatException("The saved vector index is corrupted: its checksum does not match its contents. Restore it from a backup or rebuild it.");
            }

            return store;
        }
        catch (Exception ex) when (ex is EndOfStreamException or ArgumentException or FormatException or DecoderFallbackException)
        {
            store?.Dispose();
            string what = ex is EndOfStreamException ? "truncated" : "corrupted";
            throw new VectorIndexFormatException($"The saved vector index is {what}: {ex.Message} Restore it from a backup or rebuild it.", ex);
        }
        catch
        {
            store?.Dispose();
            throw;
        }
    }
}
