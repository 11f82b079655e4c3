using LlmOps.Testing;
using Microsoft.Extensions.AI;

namespace LlmOps;

/// <summary>Adds a <see cref="ReplayChatClient"/> to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class ReplayChatClientBuilderExtensions
{
    /// <summary>
    /// Records the answers of the client below this point into a cassette, or replays them from it
    /// (see <see cref="ReplayChatClient"/>).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="cassettePath">The JSON cassette file.</param>
    /// <param name="mode">How the cassette is used; <see cref="ReplayMode.Replay"/> by default.</param>
    /// <param name="passThroughMissing">In <see cref="ReplayMode.Replay"/>, send unknown requests to the inner client instead of throwing.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="cassettePath"/> is null or empty.</exception>
    public static ChatClientBuilder UseReplay(this ChatClientBuilder builder, string cassettePath, ReplayMode mode = ReplayMode.Replay, bool passThroughMissing = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(cassettePath);
        return builder.Use(inner => new ReplayChatClient(inner, new ReplayChatClientOptions
        {
            CassettePath = cassettePath,
            Mode = mode,
            PassThroughMissing = passThroughMissing,
        }));
    }
}
