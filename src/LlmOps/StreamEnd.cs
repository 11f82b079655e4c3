namespace LlmOps;

/// <summary>How an observed stream ended, as seen by the stage that drove it.</summary>
internal enum StreamEnd
{
    /// <summary>The stream has not ended yet.</summary>
    Open,

    /// <summary>The inner stream was enumerated to its end.</summary>
    Completed,

    /// <summary>The inner stream threw an exception other than <see cref="OperationCanceledException"/>.</summary>
    Faulted,

    /// <summary>The inner stream threw an <see cref="OperationCanceledException"/>.</summary>
    Cancelled,

    /// <summary>The observation was disposed before the stream ended: the consumer stopped early (break or dispose).</summary>
    Abandoned,
}
