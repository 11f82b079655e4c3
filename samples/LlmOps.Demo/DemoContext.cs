using System.ClientModel;
using Microsoft.Extensions.AI;
using OpenAI;

namespace LlmOps.Demo;

/// <summary>
/// What every demo section gets: a way to create the model client and somewhere to write.
/// Offline by default; set LLMOPS_OPENAI_ENDPOINT (plus LLMOPS_OPENAI_API_KEY and LLMOPS_OPENAI_MODEL)
/// to run the same sections against a real OpenAI-compatible endpoint.
/// </summary>
internal sealed class DemoContext
{
    public const string EndpointVariable = "LLMOPS_OPENAI_ENDPOINT";
    public const string ApiKeyVariable = "LLMOPS_OPENAI_API_KEY";
    public const string ModelVariable = "LLMOPS_OPENAI_MODEL";

    private readonly Func<IChatClient> _factory;

    private DemoContext(Func<IChatClient> factory, bool isOffline, string modelDescription, TextWriter output)
    {
        _factory = factory;
        IsOffline = isOffline;
        ModelDescription = modelDescription;
        Out = output;
    }

    /// <summary>Gets a value indicating whether the model is the offline scripted one.</summary>
    public bool IsOffline { get; }

    /// <summary>Gets an honest one-line description of the model in use.</summary>
    public string ModelDescription { get; }

    /// <summary>Gets where sections write.</summary>
    public TextWriter Out { get; }

    /// <summary>Creates a fresh model client (the provider at the bottom of a pipeline).</summary>
    public IChatClient CreateModel() => _factory();

    public static DemoContext FromEnvironment(TextWriter output)
    {
        var endpoint = Environment.GetEnvironmentVariable(EndpointVariable);
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return new DemoContext(
                OfflineModel.Create,
                isOffline: true,
                "offline scripted model (LlmOps.Testing.ScriptedChatClient with canned answers; no network, no real LLM)",
                output);
        }

        var key = Environment.GetEnvironmentVariable(ApiKeyVariable) ?? "unused";
        var model = Environment.GetEnvironmentVariable(ModelVariable) ?? "gpt-4o-mini";
        var options = new OpenAIClientOptions { Endpoint = new Uri(endpoint) };
        return new DemoContext(
            () => new OpenAIClient(new ApiKeyCredential(key), options).GetChatClient(model).AsIChatClient(),
            isOffline: false,
            $"OpenAI-compatible endpoint {endpoint}, model {model}",
            output);
    }
}
