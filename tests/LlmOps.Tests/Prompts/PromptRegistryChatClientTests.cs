using LlmOps.Prompts;
using LlmOps.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmOps.Tests.Prompts;

public class PromptRegistryChatClientTests
{
    private static async Task<PromptRegistry> RegistryAsync()
    {
        var registry = new PromptRegistry(new InMemoryPromptStore());
        await registry.RegisterAsync(PromptTestData.Summarize(settings: new PromptModelSettings { ModelId = "small", Temperature = 0.1f }));
        await registry.RegisterAsync(PromptTestData.Summarize(system: "Be brief: {{sentences}}."));
        await registry.SetLabelAsync("summarize", "production", 1);
        return registry;
    }

    private static async Task<(ChatResponse Response, List<ChatMessage> Sent, ChatOptions? SentOptions)> CallAsync(
        IChatClient client, DelegatingTestChatClient inner, bool streaming, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ChatResponse response = streaming
            ? await client.GetStreamingResponseAsync(messages, options).ToChatResponseAsync()
            : await client.GetResponseAsync(messages, options);
        var call = Assert.Single(inner.Calls);
        return (response, call.Messages, call.Options);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponse_WithPromptLabel_PrependsRenderedMessages_AppliesSettings_RecordsProvenance(bool streaming)
    {
        var inner = new DelegatingTestChatClient();
        var registry = await RegistryAsync();
        var v1 = await registry.GetAsync("summarize", 1);
        using var client = new PromptRegistryChatClient(inner, registry);
        var user = new ChatMessage(ChatRole.User, "and make it funny");
        var options = new ChatOptions { Temperature = 0.9f }.WithPrompt("summarize", new { text = "Long text", sentences = 3 }, label: "production");

        var (response, sent, sentOptions) = await CallAsync(client, inner, streaming, [user], options);

        Assert.Equal(["You summarise text in 3 sentences.", "Text:\nLong text", "and make it funny"], sent.Select(m => m.Text));
        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.User], sent.Select(m => m.Role));
        Assert.Equal("small", sentOptions!.ModelId);
        Assert.Equal(0.1f, sentOptions.Temperature);
        Assert.Equal(0.9f, options.Temperature);   // caller's options untouched
        Assert.Null(options.ModelId);
        Assert.Null(options.GetLlmOpsInfo());
        Assert.Equal(new PromptProvenance("summarize", 1, v1.ContentHash, "production", null, null), response.GetPromptProvenance());
        var tags = response.GetLlmOpsInfo()!.Tags;
        Assert.Equal("summarize", tags["llmops.prompt.name"]);
        Assert.Equal(1, tags["llmops.prompt.version"]);
        // Inner stages can read it from the options (the semantic cache keys on it).
        Assert.Equal(1, sentOptions.GetLlmOpsInfo()!.Get<PromptProvenance>()!.Version);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponse_NoPromptReference_PassesThroughUntouched(bool streaming)
    {
        var inner = new DelegatingTestChatClient();
        using var client = new PromptRegistryChatClient(inner, await RegistryAsync());
        var options = new ChatOptions { ModelId = "x" };
        var (response, sent, sentOptions) = await CallAsync(client, inner, streaming, [new ChatMessage(ChatRole.User, "hi")], options);
        Assert.Single(sent);
        Assert.Same(options, sentOptions);
        Assert.Null(response.GetPromptProvenance());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponse_Experiment_AssignsBySubject_AndRecordsVariant(bool streaming)
    {
        var registry = await RegistryAsync();
        var experiment = new PromptExperiment("brevity", "summarize", new PromptVariant("control", 1, Label: "production"), new PromptVariant("brief", 1, Version: 2));
        registry.AddExperiment(experiment);
        var inner = new DelegatingTestChatClient();
        using var client = new PromptRegistryChatClient(inner, registry);
        var expected = experiment.Assign("user-42");

        var options = new ChatOptions().WithScope("tenant", "user-42").WithPrompt("summarize", new { text = "t" });
        var (response, _, _) = await CallAsync(client, inner, streaming, [], options);

        var provenance = response.GetPromptProvenance()!;
        Assert.Equal("brevity", provenance.Experiment);
        Assert.Equal(expected.Name, provenance.Variant);
        Assert.Equal(expected.Version ?? 1, provenance.Version);
        Assert.Equal(expected.Name, response.GetLlmOpsInfo()!.Tags["llmops.prompt.variant"]);
    }

    [Fact]
    public async Task GetResponse_MissingVariable_ThrowsBeforeCallingModel()
    {
        var inner = new DelegatingTestChatClient();
        using var client = new PromptRegistryChatClient(inner, await RegistryAsync());
        var ex = await Assert.ThrowsAsync<PromptRenderException>(() => client.GetResponseAsync([], new ChatOptions().WithPrompt("summarize", version: 2)));
        Assert.Contains("summarize@2", ex.Message, StringComparison.Ordinal);
        Assert.Empty(inner.Calls);
    }

    [Fact]
    public async Task GetResponse_ForwardsCancellationToken()
    {
        var inner = new DelegatingTestChatClient();
        using var client = new PromptRegistryChatClient(inner, await RegistryAsync());
        using var cts = new CancellationTokenSource();
        await client.GetResponseAsync([], new ChatOptions().WithPrompt("summarize", new { text = "t" }), cts.Token);
        Assert.Equal(cts.Token, inner.Calls[0].Token);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponse_CancelledToken_ThrowsWithoutCallingModel(bool streaming)
    {
        var inner = new DelegatingTestChatClient();
        using var client = new PromptRegistryChatClient(inner, await RegistryAsync());
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var options = new ChatOptions().WithPrompt("summarize", new { text = "t" });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            if (streaming)
            {
                await foreach (var _ in client.GetStreamingResponseAsync([], options, cts.Token))
                {
                }
            }
            else
            {
                await client.GetResponseAsync([], options, cts.Token);
            }
        });
        Assert.Empty(inner.Calls);
    }

    [Fact]
    public async Task GetStreamingResponse_EarlyBreak_DisposesInnerStream()
    {
        var disposed = false;
        var inner = new DelegatingTestChatClient { OnGetStreamingResponse = (_, _, _) => Chunks(() => disposed = true) };
        using var client = new PromptRegistryChatClient(inner, await RegistryAsync());
        await foreach (var update in client.GetStreamingResponseAsync([], new ChatOptions().WithPrompt("summarize", new { text = "t" })))
        {
            Assert.Equal("a", update.Text);
            break;
        }

        Assert.True(disposed);

        static async IAsyncEnumerable<ChatResponseUpdate> Chunks(Action onDispose)
        {
            try
            {
                await Task.Yield();
                yield return new ChatResponseUpdate(ChatRole.Assistant, "a");
                yield return new ChatResponseUpdate(ChatRole.Assistant, "b");
            }
            finally
            {
                onDispose();
            }
        }
    }

    [Fact]
    public async Task ArgumentsAndGetService()
    {
        var registry = await RegistryAsync();
        Assert.Throws<ArgumentNullException>(() => new PromptRegistryChatClient(new DelegatingTestChatClient(), null!));
        using var client = new PromptRegistryChatClient(new DelegatingTestChatClient(), registry);
        Assert.Same(registry, client.GetService<PromptRegistry>());
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.GetResponseAsync(null!));
        Assert.Throws<ArgumentNullException>(() => client.GetStreamingResponseAsync(null!));
        Assert.Throws<ArgumentException>(() => new ChatOptions().WithPrompt(""));
    }

    [Fact]
    public async Task UseLlmOps_WithPromptRegistry_AddsStage_AndUsePromptRegistryResolvesFromDI()
    {
        var inner = new DelegatingTestChatClient();
        var services = new ServiceCollection();
        services.AddLlmOps().AddPromptRegistry(o => o.RefreshInterval = TimeSpan.FromSeconds(5)).AddPromptRegistry();
        services.AddChatClient(inner).UseLlmOps();
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<PromptRegistry>();
        Assert.Equal(TimeSpan.FromSeconds(5), registry.Options.RefreshInterval);
        await registry.RegisterAsync(PromptTestData.Summarize());

        var response = await provider.GetRequiredService<IChatClient>().GetResponseAsync([], new ChatOptions().WithPrompt("summarize", new { text = "t" }));

        Assert.Equal(2, inner.Calls[0].Messages.Count);
        Assert.Equal(1, response.GetPromptProvenance()!.Version);

        using var manual = new ChatClientBuilder(inner).UsePromptRegistry().Build(provider);
        Assert.Same(registry, manual.GetService<PromptRegistry>());
    }

    [Fact]
    public void UseLlmOps_WithoutRegistry_SkipsStage()
    {
        var services = new ServiceCollection();
        services.AddLlmOps();
        services.AddChatClient(new DelegatingTestChatClient()).UseLlmOps();
        using var provider = services.BuildServiceProvider();
        Assert.Null(provider.GetRequiredService<IChatClient>().GetService<PromptRegistryChatClient>());
    }
}
