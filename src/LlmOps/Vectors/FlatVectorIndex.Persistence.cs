using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace LlmOps.Vectors;

/// <content>
/// Persistence. Binary format, little-endian:
/// <list type="number">
/// <item>magic: the 8 ASCII bytes <c>LLMOPSVI</c>;</item>
/// <item>version: uint16, currently 1; flags: uint16, reserved, 0;</item>
/// <item>dimensions: int32; count: int32;</item>
/// <item><c>count</c> entries: key (7-bit-length-prefixed UTF-8), has-scope byte (0 or 1), scope (same encoding, when present),
/// then <c>dimensions</c> float32 values of the normalised vector;</item>
/// <item>checksum: uint64 XxHash64 of every preceding byte.</item>
/// </list>
/// </content>
public sealed partial class FlatVectorIndex
{
    internal const ushort FormatVersion = 1;
    private static readonly byte[] Magic = "LLMOPSVI"u8.ToArray();

    /// <summary>Writes the index to a stream in the documented binary format.</summary>
    /// <param name="destination">A writable stream; it is not closed.</param>
    /// <remarks>Writes wait while the index is being saved; searches continue.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    public void Save(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        _lock.EnterReadLock();
        try
        {
            var hashing = new HashingStream(destination, writing: true);
            using (var w = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true))
            {
                w.Write(Magic);
                w.Write(FormatVersion);
                w.Write((ushort)0);
                w.Write(Dimensions);
                w.Write(_locations.Count);
                for (int i = 0; i < _partCount; i++)
                {
                    VectorPartition p = _parts[i];
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
            _lock.ExitReadLock();
        }
    }

    /// <summary>Saves the index to a file atomically: it writes a temporary file in the same folder, then renames it.</summary>
    /// <param name="path">The file path; an existing file is replaced only once the new one is complete.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    public void SaveToFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string temp = full + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Save(fs);
                fs.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Reads an index saved by <see cref="Save(Stream)"/>.</summary>
    /// <param name="source">A readable stream positioned at the start of the saved index.</param>
    /// <returns>A new index with the saved entries.</returns>
    /// <exception cref="VectorIndexFormatException">The data is truncated, corrupted or of an unsupported version.</exception>
    public static FlatVectorIndex Load(Stream source) => Load(source, quantized: false, expectedDimensions: null);

    /// <summary>Reads an index from a file written by <see cref="SaveToFile(string)"/>.</summary>
    /// <param name="path">The file path.</param>
    /// <returns>A new index with the saved entries.</returns>
    /// <exception cref="VectorIndexFormatException">The file is truncated, corrupted or of an unsupported version.</exception>
    public static FlatVectorIndex LoadFromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Load(fs);
    }

    /// <summary>
    /// Replaces the contents of this index with an index read from a stream. The data is read and verified in full
    /// first; if it is invalid, this index is left unchanged.
    /// </summary>
    /// <param name="source">A readable stream positioned at the start of the saved index.</param>
    /// <exception cref="VectorIndexFormatException">
    /// The data is truncated, corrupted, of an unsupported version, or has a different dimension from this index.
    /// </exception>
    public void ReplaceFrom(Stream source)
    {
        using FlatVectorIndex loaded = Load(source, _quantized, Dimensions);
        _lock.EnterWriteLock();
        try
        {
            _locations.Clear();
            foreach (var kv in loaded._locations)
            {
                _locations.Add(kv.Key, kv.Value);
            }

            _scopes.Clear();
            foreach (var kv in loaded._scopes)
            {
                _scopes.Add(kv.Key, kv.Value);
            }

            _parts = loaded._parts;
            _partCount = loaded._partCount;
            _unscopedPart = loaded._unscopedPart;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    internal static FlatVectorIndex Load(Stream source, bool quantized, int? expectedDimensions)
    {
        ArgumentNullException.ThrowIfNull(source);
        var hashing = new HashingStream(source, writing: false);
        FlatVectorIndex? index = null;
        try
        {
            using var r = new BinaryReader(hashing, Encoding.UTF8, leaveOpen: true);
            Span<byte> magic = stackalloc byte[8];
            r.BaseStream.ReadExactly(magic);
            if (!magic.SequenceEqual(Magic))
            {
                throw new VectorIndexFormatException("The data is not a saved LlmOps vector index (the LLMOPSVI header is missing). Check that the file was written by FlatVectorIndex.Save.");
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

            index = new FlatVectorIndex(dims, quantized);
            float[] vector = new float[dims];
            Span<byte> bytes = MemoryMarshal.AsBytes(vector.AsSpan());
            for (int i = 0; i < count; i++)
            {
                string key = r.ReadString();
                string? scope = r.ReadBoolean() ? r.ReadString() : null;
                r.BaseStream.ReadExactly(bytes);
                index.AddNormalized(key, vector, scope);
            }

            ulong computed = hashing.Hash;
            Span<byte> checksum = stackalloc byte[8];
            source.ReadExactly(checksum);
            if (BinaryPrimitives.ReadUInt64LittleEndian(checksum) != computed)
            {
                throw new VectorIndexFormatException("The saved vector index is corrupted: its checksum does not match its contents. Restore it from a backup or rebuild it.");
            }

            return index;
        }
        catch (Exception ex) when (ex is EndOfStreamException or ArgumentException or FormatException or DecoderFallbackException)
        {
            index?.Dispose();
            string what = ex is EndOfStreamException ? "truncated" : "corrupted";
            throw new VectorIndexFormatException($"The saved vector index is {what}: {ex.Message} Restore it from a backup or rebuild it.", ex);
        }
        catch
        {
            index?.Dispose();
            throw;
        }
    }
}
