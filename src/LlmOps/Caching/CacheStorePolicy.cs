using Microsoft.Extensions.AI;

namespace LlmOps.Caching;

/// <summary>
/// What may be cached: which requests take part at all (<see cref="BypassReason"/>) and which answers may be stored
/// and shared with waiters (<see cref="NotCacheableReason"/>). Every "no" comes with a reason a user can read on
/// <see cref="SemanticCacheResult"/>.
/// </summary>
internal sealed class CacheStorePolicy(SemanticCacheOptions options)
{
    /// <summary>Why a request bypasses the cache, or <see langword="null"/> when it takes part.</summary>
    public string? BypassReason(ChatOptions? request, SemanticCacheMode mode)
        => mode == SemanticCacheMode.Bypass ? "the request opted out (SemanticCacheMode.Bypass)"
            : request?.ConversationId is not null ? "the request continues a server-side conversation (ConversationId)"
            : request?.AllowBackgroundResponses == true || request?.ContinuationToken is not null ? "the request uses background responses"
            : request?.Temperature is float t && t > options.MaxCacheableTemperature ? "the temperature is above SemanticCacheOptions.MaxCacheableTemperature"
            : null;

    /// <summary>Why a fresh answer may not be stored nor shared, or <see langword="null"/> when it may.</summary>
    /// <param name="info">The request's info (for <see cref="SemanticCacheOptions.IsBlocked"/>).</param>
    /// <param name="response">The complete answer.</param>
    /// <param name="streamed">Whether the answer was streamed (a stream without a finish reason may have been cut).</param>
    /// <returns>The reason, or <see langword="null"/>.</returns>
    public string? NotCacheableReason(LlmOpsInfo info, ChatResponse response, bool streamed)
    {
        if (response.FinishReason is not { } finish)
        {
            if (streamed && !options.StoreStreamsWithoutFinishReason)
            {
                return "the stream ended without a finish reason (it may have been cut; see SemanticCacheOptions.StoreStreamsWithoutFinishReason)";
            }

            if (!streamed && !options.StoreResponsesWithoutFinishReason)
            {
                return "the response has no finish reason (see SemanticCacheOptions.StoreResponsesWithoutFinishReason)";
            }

            if (!HasContent(response))
            {
                return "the response has no finish reason and no content";
            }
        }
        else if (finish == ChatFinishReason.ContentFilter || !options.CacheableFinishReasons.Contains(finish))
        {
            return $"finish reason '{finish}' is not in SemanticCacheOptions.CacheableFinishReasons";
        }

        if (response.ConversationId is not null)
        {
            return "the response belongs to a server-side conversation";
        }

        if (response.ContinuationToken is not null)
        {
            return "the response is a background response";
        }

        if (options.IsBlocked?.Invoke(info, response) == true)
        {
            return "a guardrail blocked the response";
        }

        return null;
    }

    private static bool HasContent(ChatResponse response)
    {
        foreach (var message in response.Messages)
        {
            foreach (var content in message.Contents)
            {
                if (content is not UsageContent)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
