namespace LlmOps.Caching;

/// <summary>The class of a word for the pair check (<see cref="CachePairTokenizer"/>); stored in a token's top byte.</summary>
internal enum CachePairTokenClass : byte
{
    /// <summary>A determiner, pronoun, auxiliary, conjunction, preposition or filler ("the", "please").</summary>
    Function = 0,

    /// <summary>Any other word: a common noun, verb, adjective or adverb.</summary>
    Content = 1,

    /// <summary>Digits or a number word.</summary>
    Number = 2,

    /// <summary>A unit of measure or a currency.</summary>
    Unit = 3,

    /// <summary>A time of day (6pm, 18:30, noon, the number before am/pm).</summary>
    Time = 4,

    /// <summary>A month, weekday or relative day.</summary>
    Date = 5,

    /// <summary>A name, by capitalisation (not opening a sentence), an acronym or mixed case.</summary>
    Entity = 6,

    /// <summary>A negation ("not", "never", "-n't", "without").</summary>
    Negation = 7,

    /// <summary>A modal verb ("can", "must", "should").</summary>
    Modal = 8,

    /// <summary>A scope word ("all", "any", "only", "every").</summary>
    Scope = 9,

    /// <summary>A comparative or superlative ("more", "best", any word right before "than").</summary>
    Comparative = 10,

    /// <summary>A relation word whose two sides carry roles ("to", "from", "than", "vs", "into", "per").</summary>
    Pivot = 11,

    /// <summary>A word of the lexical polarity guard's antonym table (on/off, buy/sell).</summary>
    Polar = 12,

    /// <summary>A question word ("what", "how", "why").</summary>
    Question = 13,
}
