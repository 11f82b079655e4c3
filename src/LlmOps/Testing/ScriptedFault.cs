using System.Net;

namespace LlmOps.Testing;

/// <summary>
/// Factories for the exceptions real providers throw, for use with <see cref="ScriptedResponse.Failure(Func{Exception})"/>,
/// <see cref="ScriptedResponse.FaultAfterChunk(int, Func{Exception}?)"/> and <see cref="ScriptedChatClient.FailOnCall(int, Exception)"/>.
/// </summary>
public static class ScriptedFault
{
    /// <summary>Creates the error a provider's HTTP client reports for a rate limit: an
    /// <see cref="HttpRequestException"/> whose <see cref="HttpRequestException.StatusCode"/> is 429.</summary>
    /// <returns>A new exception.</returns>
    public static HttpRequestException RateLimit()
        => new("Response status code does not indicate success: 429 (Too Many Requests). (scripted rate limit)",
            inner: null, HttpStatusCode.TooManyRequests);

    /// <summary>Creates the error a provider call reports when it takes too long: a <see cref="TimeoutException"/>.</summary>
    /// <returns>A new exception.</returns>
    public static TimeoutException Timeout()
        => new("The request timed out. (scripted timeout)");

    /// <summary>Creates the error a stream reports when the connection drops mid-way: an <see cref="IOException"/>.</summary>
    /// <param name="chunkCount">The number of chunks delivered before the fault, for the message.</param>
    /// <returns>A new exception.</returns>
    public static IOException StreamFault(int chunkCount)
        => new($"The scripted response stream failed after {chunkCount} chunk(s).");
}
