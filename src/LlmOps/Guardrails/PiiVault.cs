using System.Runtime.InteropServices;

namespace LlmOps.Guardrails;

/// <summary>
/// A per-request map from typed placeholders (<c>&lt;EMAIL_1&gt;</c>) to the PII they replaced, so the answer can be
/// restored for the caller while the provider only ever sees placeholders. Thread-safe. Never log its contents.
/// </summary>
public sealed class PiiVault
{
    // Plain dictionaries under one lock: a request's vault sees a handful of values, and three concurrent dictionaries
    // cost more to create than every lock the request takes.
    private readonly Dictionary<string, string> _byPlaceholder = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _byOriginal = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Gets the number of stored values.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byPlaceholder.Count;
            }
        }
    }

    /// <summary>Gets the placeholder for a value, creating <c>&lt;KIND_n&gt;</c> the first time it is seen.</summary>
    /// <param name="kind">The kind, for example <c>EMAIL</c>.</param>
    /// <param name="original">The original value.</param>
    /// <returns>The placeholder; the same value always gets the same placeholder.</returns>
    /// <exception cref="ArgumentException">An argument is null or empty.</exception>
    public string Protect(string kind, string original)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentException.ThrowIfNullOrEmpty(original);
        lock (_lock)
        {
            if (_byOriginal.TryGetValue(original, out var existing))
            {
                return existing;
            }

            var n = ++CollectionsMarshal.GetValueRefOrAddDefault(_counters, kind, out _);
            var placeholder = $"<{kind}_{n}>";
            _byOriginal[original] = placeholder;
            _byPlaceholder[placeholder] = original;
            return placeholder;
        }
    }

    /// <summary>Replaces every known placeholder in <paramref name="text"/> with its original.</summary>
    /// <param name="text">The text, typically the model's answer.</param>
    /// <returns>The restored text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public string Restore(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains('<', StringComparison.Ordinal))
        {
            return text;
        }

        lock (_lock)
        {
            foreach (var pair in _byPlaceholder)
            {
                text = text.Replace(pair.Key, pair.Value, StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>Gets the length of the longest placeholder, so a streaming restorer knows how much to hold back.</summary>
    internal int LongestPlaceholder
    {
        get
        {
            lock (_lock)
            {
                var max = 0;
                foreach (var key in _byPlaceholder.Keys)
                {
                    max = Math.Max(max, key.Length);
                }

                return max;
            }
        }
    }
}
