namespace LlmOps.Evaluation.Metrics;

/// <summary>Maps tokens (looked up as spans, so no string is built for a token seen before) to dense ids.</summary>
internal sealed class TokenVocabulary
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public TokenVocabulary() => _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();

    public int Count => _ids.Count;

    public void Clear()
    {
        // A vocabulary that grew large on one long text is not kept alive for the thread's lifetime.
        if (_ids.Count > 4096)
        {
            _ids.Clear();
            _ids.TrimExcess();
        }
        else
        {
            _ids.Clear();
        }
    }

    public int GetId(ReadOnlySpan<char> token)
    {
        if (_lookup.TryGetValue(token, out int id))
        {
            return id;
        }

        id = _ids.Count;
        _lookup[token] = id;
        return id;
    }
}
