using System.Numerics;
using System.Runtime.CompilerServices;

namespace LlmOps.Routing;

/// <summary>
/// Counts, for up to eight sets of ASCII cues at once, the positions of a text at which a cue of each set starts
/// (ordinal, case-insensitive), in one pass: an Aho-Corasick automaton, compiled to a full transition table, over the
/// reversed cues, run over the text from its end. Immutable and thread-safe once built.
/// </summary>
/// <remarks>
/// <para>
/// Each set's count equals what repeated <c>IndexOfAny(SearchValues&lt;string&gt;)</c> calls, advancing one character
/// past each hit, return: the number of distinct positions where some cue of the set starts. Under ordinal
/// case-insensitive comparison no character outside ASCII equals an ASCII one, so such characters never match a cue. Read from the end, a
/// reversed cue that ends at a position is an original cue that starts there, so the output of the state reached after
/// a character is exactly the sets with a cue starting at that character.
/// </para>
/// <para>
/// The automaton follows Aho and Corasick, "Efficient string matching: an aid to bibliographic search" (CACM 18(6),
/// 1975): a trie of the patterns, failure links by breadth-first search, and outputs merged along the failure links;
/// the goto and failure functions are folded into one table indexed by state and character class, so a character costs
/// one load. One pass replaces eight vectorised scans whose short and numerous cues made them fall back to slow paths.
/// </para>
/// </remarks>
internal sealed class CueAutomaton
{
    private readonly byte[] _classOf = new byte[128];
    private readonly ushort[] _next;
    private readonly byte[] _output;
    private readonly int _classes;

    /// <summary>Builds the automaton.</summary>
    /// <param name="sets">Up to eight sets of non-empty ASCII cues; a cue's set is its bit in the counts.</param>
    public CueAutomaton(IReadOnlyList<IReadOnlyList<string>> sets)
    {
        if (sets.Count > 8)
        {
            throw new ArgumentException($"At most 8 cue sets are supported; got {sets.Count}.", nameof(sets));
        }

        // Character classes: 0 for every character no cue uses; one class per lower-case character that a cue uses.
        _classes = 1;
        foreach (var set in sets)
        {
            foreach (var cue in set)
            {
                foreach (var ch in cue)
                {
                    if (ch is '\0' or >= (char)128)
                    {
                        throw new ArgumentException($"Cue '{cue}' is not printable ASCII; the automaton reads ASCII only.", nameof(sets));
                    }

                    var lower = char.ToLowerInvariant(ch);
                    if (_classOf[lower] == 0)
                    {
                        _classOf[lower] = (byte)_classes++;
                    }
                }
            }
        }

        for (var c = 'A'; c <= 'Z'; c++)
        {
            _classOf[c] = _classOf[char.ToLowerInvariant(c)];
        }

        // Trie of the reversed cues.
        var children = new List<int[]> { NewRow() };
        var output = new List<byte> { 0 };
        for (var s = 0; s < sets.Count; s++)
        {
            foreach (var cue in sets[s])
            {
                var state = 0;
                for (var i = cue.Length - 1; i >= 0; i--)
                {
                    var k = _classOf[cue[i]];
                    if (children[state][k] < 0)
                    {
                        children[state][k] = children.Count;
                        children.Add(NewRow());
                        output.Add(0);
                    }

                    state = children[state][k];
                }

                output[state] |= (byte)(1 << s);
            }
        }

        if (children.Count > ushort.MaxValue)
        {
            throw new ArgumentException($"The cues need {children.Count} states; at most {ushort.MaxValue} are supported.", nameof(sets));
        }

        // Breadth-first: a missing edge takes the failure state's edge; outputs merge along failure links.
        _next = new ushort[children.Count * _classes];
        _output = [.. output];
        var fail = new int[children.Count];
        var queue = new Queue<int>();
        for (var k = 0; k < _classes; k++)
        {
            var child = children[0][k];
            if (child > 0)
            {
                fail[child] = 0;
                _next[k] = (ushort)child;
                queue.Enqueue(child);
            }
        }

        while (queue.Count > 0)
        {
            var state = queue.Dequeue();
            _output[state] |= _output[fail[state]];
            for (var k = 0; k < _classes; k++)
            {
                var child = children[state][k];
                if (child > 0)
                {
                    fail[child] = _next[(fail[state] * _classes) + k];
                    _next[(state * _classes) + k] = (ushort)child;
                    queue.Enqueue(child);
                }
                else
                {
                    _next[(state * _classes) + k] = _next[(fail[state] * _classes) + k];
                }
            }
        }

        int[] NewRow()
        {
            var row = new int[_classes];
            Array.Fill(row, -1);
            return row;
        }
    }

    /// <summary>Adds to <paramref name="counts"/>[s] the positions of <paramref name="text"/> where a cue of set s starts.</summary>
    /// <param name="text">The text.</param>
    /// <param name="counts">One counter per set.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Count(ReadOnlySpan<char> text, Span<int> counts)
    {
        var next = _next;
        var output = _output;
        var classOf = _classOf;
        var classes = _classes;
        var state = 0;
        for (var i = text.Length - 1; i >= 0; i--)
        {
            // No character outside ASCII equals an ASCII one under ordinal case-insensitive comparison: class 0.
            var ch = text[i];
            state = next[(state * classes) + (ch < 128 ? classOf[ch] : 0)];
            uint hits = output[state];
            while (hits != 0)
            {
                counts[BitOperations.TrailingZeroCount(hits)]++;
                hits &= hits - 1;
            }
        }
    }
}
