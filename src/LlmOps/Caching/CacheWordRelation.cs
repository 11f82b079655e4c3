namespace LlmOps.Caching;

/// <summary>How two word stems relate in WordNet (<see cref="CacheWordRelations"/>); several may hold at once.</summary>
[Flags]
internal enum CacheWordRelation
{
    /// <summary>No relation is known.</summary>
    None = 0,

    /// <summary>The two share a sense among their most frequent ones ("big"/"large", "begin"/"start"), or are inflections of one word.</summary>
    Synonym = 1,

    /// <summary>One is derived from the other ("delete"/"deletion", "quick"/"quickly").</summary>
    Derived = 2,

    /// <summary>Adjectives of one cluster ("huge"/"large": one is similar to the other, or both to a third).</summary>
    Similar = 4,

    /// <summary>A direct antonym, or an indirect one through the adjective clusters ("huge"/"tiny").</summary>
    Antonym = 8,

    /// <summary>One is a hypernym of the other, one or two levels up ("dog"/"animal").</summary>
    Hypernym = 16,

    /// <summary>The two share a hypernym one or two levels up ("wasp"/"bee", "project"/"programme") and no sense.</summary>
    CoHyponym = 32,
}
