using Microsoft.Extensions.AI;

namespace LlmOps;

/// <summary>
/// The shared way a stage joins a request: it finds the <see cref="LlmOpsInfo"/> an outer stage
/// created, or creates it (on a copy of the caller's options, <see cref="LlmOpsRequestOptions"/>, that carries it in a
/// field and shares the caller's property dictionary) and becomes responsible for attaching it to the response.
/// </summary>
internal readonly struct LlmOpsRequest
{
    private LlmOpsRequest(LlmOpsInfo info, ChatOptions? options, bool owner)
    {
        Info = info;
        Options = options;
        IsOwner = owner;
    }

    /// <summary>Gets the per-request info.</summary>
    public LlmOpsInfo Info { get; }

    /// <summary>Gets the options to forward to the inner client (never the caller's instance when we created the info).</summary>
    public ChatOptions? Options { get; }

    /// <summary>Gets a value indicating whether this stage created the info and so must attach it to the response.</summary>
    public bool IsOwner { get; }

    /// <summary>Finds or creates the info for a request.</summary>
    public static LlmOpsRequest Join(ChatOptions? options)
    {
        if (options.GetLlmOpsInfo() is { } existing)
        {
            return new LlmOpsRequest(existing, options, owner: false);
        }

        var info = new LlmOpsInfo();
        return new LlmOpsRequest(info, new LlmOpsRequestOptions(options, info), owner: true);
    }

    /// <summary>Attaches the info to a response when this stage created it (an outer owner attaches it otherwise).</summary>
    public void AttachTo(ChatResponse response)
    {
        if (IsOwner)
        {
            response.AttachLlmOpsInfo(Info);
        }
    }

    /// <summary>
    /// Creates the closing streaming update that carries the info, when this stage created it; <see langword="null"/>
    /// when an outer stage owns the info and will close the stream itself.
    /// </summary>
    public ChatResponseUpdate? CreateFinalUpdate(string? modelId)
    {
        if (!IsOwner)
        {
            return null;
        }

        var last = new ChatResponseUpdate { ModelId = modelId, Role = ChatRole.Assistant };
        last.AttachLlmOpsInfo(Info);
        return last;
    }
}
