using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;

namespace LlmOps;

/// <summary>
/// A response the pipeline builds itself (a cache hit's copy of the stored answer) that carries the request's
/// <see cref="LlmOpsInfo"/> in a field, so attaching the info costs no <see cref="ChatResponse.AdditionalProperties"/>
/// dictionary (about 230 B).
/// </summary>
/// <remarks>
/// <see cref="LlmOpsChatResponseExtensions.GetLlmOpsInfo(ChatResponse)"/> reads the field when the dictionary holds no
/// info, and attaching the same info again is free. A stage that rebuilds the response (a guardrail redacting it) makes a
/// plain <see cref="ChatResponse"/>, to which the stage that owns the info attaches it through the dictionary as before.
/// </remarks>
internal sealed class LlmOpsChatResponse : ChatResponse
{
    /// <summary>Initializes a new instance of the <see cref="LlmOpsChatResponse"/> class.</summary>
    /// <param name="messages">The messages.</param>
    /// <param name="info">The request's info.</param>
    public LlmOpsChatResponse(IList<ChatMessage> messages, LlmOpsInfo info)
        : base(messages)
    {
        Info = info;
    }

    /// <summary>Gets the request's info (not serialised: the response's JSON is that of the plain response).</summary>
    [JsonIgnore]
    public LlmOpsInfo Info { get; }
}
