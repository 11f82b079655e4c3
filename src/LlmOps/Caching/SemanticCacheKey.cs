using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace LlmOps.Caching;

/// <summary>
/// A 128-bit cache key. Exact keys and semantic partitions are the XxHash128 of a canonical, length-prefixed request
/// form; scope and tenant labels are hashed too, so a store never holds raw prompt text unless the user enables it.
/// </summary>
/// <remarks>
/// XxHash128 is fast but not collision resistant, so a hit is served only when the entry's scope hash equals the
/// request's as well: a crafted key collision can never cross a scope (scopes come from the application, not the
/// user's text). Within one scope a collision could only serve that scope's own entry.
/// </remarks>
/// <param name="Value">The 128-bit value.</param>
public readonly record struct SemanticCacheKey(UInt128 Value)
{
    /// <summary>Hashes a string (its UTF-8 bytes, SHA-256 truncated to 128 bits) into a key.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static SemanticCacheKey FromString(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return FromBytes(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>
    /// Hashes the parts of a label with two seeded 64-bit FNV-1a passes (fast, allocation-free, not collision
    /// resistant). Used for scope and tenant labels, which only select entries to invalidate.
    /// </summary>
    internal static SemanticCacheKey Label(string kind, string? a, string? b = null, string? c = null)
    {
        var low = 14695981039346656037UL;
        var high = 9650029242287828579UL;
        Mix(ref low, ref high, kind);
        Mix(ref low, ref high, a);
        Mix(ref low, ref high, b);
        Mix(ref low, ref high, c);
        return new SemanticCacheKey(new UInt128(high, low));
    }

    /// <summary>Returns the key as 32 lower-case hex digits.</summary>
    /// <returns>The hex form.</returns>
    public override string ToString() => Value.ToString("x32", CultureInfo.InvariantCulture);

    private static void Mix(ref ulong low, ref ulong high, string? value)
    {
        if (value is null)
        {
            low = (low ^ 0xFFFF) * 1099511628211UL;
            high = (high ^ 0xFFFE) * 1099511628211UL;
            return;
        }

        foreach (var ch in value)
        {
            low = (low ^ ch) * 1099511628211UL;
            high = (high ^ (ch + 0x9E37U)) * 1099511628211UL;
        }

        // The length ends each part, so ("ab", "c") and ("a", "bc") differ.
        low = (low ^ (ulong)value.Length ^ 0x10000) * 1099511628211UL;
        high = (high ^ (ulong)value.Length ^ 0x20000) * 1099511628211UL;
    }

    internal static SemanticCacheKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(bytes, digest);
        return new SemanticCacheKey(System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(digest));
    }
}
