namespace LlmOps.Caching.Training;

/// <summary>Which lexical guards stay hard rules next to the pair check.</summary>
internal enum GuardMode
{
    /// <summary>Only those that reject no training paraphrase (the shipped mode).</summary>
    Auto,

    /// <summary>All of them (the earlier behaviour).</summary>
    Hard,

    /// <summary>None: the model weighs every verdict.</summary>
    Soft,
}
