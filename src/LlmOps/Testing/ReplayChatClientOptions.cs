namespace LlmOps.Testing;

/// <summary>Options for <see cref="ReplayChatClient"/>.</summary>
public sealed class ReplayChatClientOptions
{
    /// <summary>Gets or sets the path of the JSON cassette file. Required.</summary>
    /// <value>The default value is <see langword="null"/>, which is rejected.</value>
    public string? CassettePath { get; set; }

    /// <summary>Gets or sets how the cassette is used.</summary>
    /// <value>The default value is <see cref="ReplayMode.Replay"/>.</value>
    public ReplayMode Mode { get; set; } = ReplayMode.Replay;

    /// <summary>
    /// Gets or sets a value indicating whether, in <see cref="ReplayMode.Replay"/>, a request missing from the cassette
    /// is sent to the inner client (and not recorded) instead of throwing.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool PassThroughMissing { get; set; }
}
