using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace LlmOps.Caching;

/// <summary>
/// A 128-bit cache key: the first half of the SHA-256 of a canonical request form. Exact keys, semantic partitions
/// and scope hashes are all keys, so a store never holds raw prompt text unless the user enables it.
/// </summary>
/// <param name="Value">The 128-bit value.</param>
public readonly record struct SemanticCacheKey(UInt128 Value)
{
    /// <summary>Hashes a string (its UTF-8 bytes) into a key.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static SemanticCacheKey FromString(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return FromBytes(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Returns the key as 32 lower-case hex digits.</summary>
    /// <returns>The hex form.</returns>
    public override string ToString() => Value.ToString("x32", CultureInfo.InvariantCulture);

    internal static SemanticCacheKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(bytes, digest);
        return new SemanticCacheKey(System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(digest));
    }
}
