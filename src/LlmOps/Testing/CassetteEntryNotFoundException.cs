namespace LlmOps.Testing;

/// <summary>
/// Thrown by a <see cref="ReplayChatClient"/> in <see cref="ReplayMode.Replay"/> when the cassette has no answer for
/// a request. The message names the request key and the cassette file.
/// </summary>
public sealed class CassetteEntryNotFoundException : KeyNotFoundException
{
    /// <summary>Initializes a new instance of the <see cref="CassetteEntryNotFoundException"/> class.</summary>
    public CassetteEntryNotFoundException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="CassetteEntryNotFoundException"/> class.</summary>
    /// <param name="message">The message.</param>
    public CassetteEntryNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="CassetteEntryNotFoundException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public CassetteEntryNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="CassetteEntryNotFoundException"/> class.</summary>
    /// <param name="requestKey">The key of the missing request.</param>
    /// <param name="cassettePath">The cassette file.</param>
    /// <param name="detail">Extra context: what the request was and whether the file exists.</param>
    public CassetteEntryNotFoundException(string requestKey, string cassettePath, string detail)
        : base($"The cassette '{cassettePath}' has no recorded response for request {requestKey}. {detail} " +
            "Record it with ReplayMode.RecordMissing (or Record) against a real client, or set PassThroughMissing to send unknown requests to the inner client.")
    {
        RequestKey = requestKey;
        CassettePath = cassettePath;
    }

    /// <summary>Gets the key (SHA-256 of the canonical request) that was not found.</summary>
    public string? RequestKey { get; }

    /// <summary>Gets the path of the cassette file.</summary>
    public string? CassettePath { get; }
}
