namespace LlmOps.Testing;

/// <summary>How a <see cref="ReplayChatClient"/> uses its cassette.</summary>
public enum ReplayMode
{
    /// <summary>
    /// Answer only from the cassette. A request that is not in it throws a <see cref="CassetteEntryNotFoundException"/>,
    /// or goes to the inner client (without being recorded) when <see cref="ReplayChatClientOptions.PassThroughMissing"/> is set.
    /// </summary>
    Replay,

    /// <summary>Send every request to the inner client and record its answer, replacing any earlier answer to the same request.</summary>
    Record,

    /// <summary>Answer from the cassette when it has the request; otherwise ask the inner client and record its answer.</summary>
    RecordMissing,
}
