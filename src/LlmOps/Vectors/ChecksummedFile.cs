using System.Buffers.Binary;
using System.Text;

namespace LlmOps.Vectors;

/// <summary>
/// The container shared by the library's saved indexes: an 8-byte magic, a uint16 version, a uint16 of reserved
/// flags, the body, then a uint64 XxHash64 of every preceding byte. Saved atomically with <see cref="LlmOps.IO.AtomicFile"/>.
/// </summary>
internal static class ChecksummedFile
{
    /// <summary>Writes magic, version, the body and the checksum.</summary>
    public static void Write(Stream destination, ReadOnlySpan<byte> magic, ushort version, Action<BinaryWriter> body)
    {
        var hashing = new HashingStream(destination, writing: true);
        using (var w = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(magic);
            w.Write(version);
            w.Write((ushort)0);
            body(w);
        }

        Span<byte> checksum = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(checksum, hashing.Hash);
        destination.Write(checksum);
        destination.Flush();
    }

    /// <summary>
    /// Reads and verifies magic, version, the body and the checksum. Every format problem (wrong magic or version,
    /// truncation, undecodable data, checksum mismatch) is reported through <paramref name="fail"/>, which returns the
    /// exception to throw; the body's partial result is never returned.
    /// </summary>
    public static T Read<T>(
        Stream source, ReadOnlySpan<byte> magic, ushort version, string what, Func<BinaryReader, T> body, Func<string, Exception?, Exception> fail)
    {
        ArgumentNullException.ThrowIfNull(source);
        var hashing = new HashingStream(source, writing: false);
        try
        {
            using var r = new BinaryReader(hashing, Encoding.UTF8, leaveOpen: true);
            Span<byte> header = stackalloc byte[magic.Length];
            r.BaseStream.ReadExactly(header);
            if (!header.SequenceEqual(magic))
            {
                throw fail($"The data is not a saved {what} (the {Encoding.ASCII.GetString(magic)} header is missing).", null);
            }

            ushort saved = r.ReadUInt16();
            if (saved != version)
            {
                throw fail($"The saved {what} has format version {saved}, but this library reads version {version}. Re-create it with this library version.", null);
            }

            _ = r.ReadUInt16();
            T result = body(r);
            ulong computed = hashing.Hash;
            Span<byte> checksum = stackalloc byte[8];
            source.ReadExactly(checksum);
            if (BinaryPrimitives.ReadUInt64LittleEndian(checksum) != computed)
            {
                throw fail($"The saved {what} is corrupted: its checksum does not match its contents. Restore it from a backup or rebuild it.", null);
            }

            return result;
        }
        catch (Exception ex) when (ex is EndOfStreamException or ArgumentException or FormatException or DecoderFallbackException or OverflowException)
        {
            string kind = ex is EndOfStreamException ? "truncated" : "corrupted";
            throw fail($"The saved {what} is {kind}: {ex.Message} Restore it from a backup or rebuild it.", ex);
        }
    }
}
