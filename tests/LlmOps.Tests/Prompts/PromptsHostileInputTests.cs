using LlmOps.Metering;
using LlmOps.Prompts;
using LlmOps.Telemetry;
using LlmOps.Tests.Metering;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmOps.Tests.Prompts;

/// <summary>Issue 14 §5: the same table of hostile requests against the prompts and metering decorators, and options checked at startup.</summary>
public sealed class PromptsHostileInputTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "llmops-hostile-" + Guid.NewGuid().ToString("N"));

    public static TheoryData<string, bool> Stages => new() { { "prompts", false }, { "prompts", true }, { "metering", false }, { "metering", true } };

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Stages))]
    public async Task HostileMessages_RejectedEagerlyNamingTheParameter_OrTreatedAsEmpty(string stage, bool streaming)
    {
        var inner = new MeteringTestClient();
        using var client = await CreateAsync(stage, inner);
        var options = new ChatOptions().WithPrompt("greet", new Dictionary<string, object?>());

        await Assert.ThrowsAsync<ArgumentNullException>("messages", () => Run(client, null!, options, streaming));
        await Assert.ThrowsAsync<ArgumentException>("messages", () => Run(client, [new(ChatRole.User, "hi"), null!], options, streaming));
        await Assert.ThrowsAsync<ArgumentException>("messages", () => Run(client, [new(ChatRole.User, [null!])], options, streaming));
        Assert.Equal(0, inner.Calls);

        // A message with no contents (or contents set to null) is empty, as in MEAI.
        Assert.NotNull(await Run(client, [new(ChatRole.User, (IList<AIContent>)null!)], options, streaming));
        Assert.NotNull(await Run(client, [new ChatMessage { Role = ChatRole.User }], options, streaming));
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task AddPromptFiles_PathIsAFile_FailsAtStartupNamingTheOption()
    {
        Directory.CreateDirectory(_dir);
        var file = Path.Combine(_dir, "not-a-directory.txt");
        await File.WriteAllTextAsync(file, "x");
        var services = new ServiceCollection();
        services.AddLlmOps().AddPromptFiles(Path.Combine(file, "prompts"));
        using var provider = services.BuildServiceProvider();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync());
        Assert.Contains("PromptRegistryOptions.FilesDirectory", ex.Message, StringComparison.Ordinal);
        Assert.Contains("is a file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddPromptRegistry_NegativeRefreshInterval_FailsAtStartupNamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddLlmOps().AddPromptRegistry(o => o.RefreshInterval = TimeSpan.FromSeconds(-1));
        using var provider = services.BuildServiceProvider();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync());
        Assert.Contains("PromptRegistryOptions.RefreshInterval", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddPromptFiles_ValidDirectory_ServesFiles()
    {
        var services = new ServiceCollection();
        services.AddLlmOps().AddPromptFiles(_dir);
        using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync();

        Assert.Equal(Path.GetFullPath(_dir), Assert.IsType<FilePromptStore>(provider.GetRequiredService<IPromptStore>()).Directory);
    }

    private async Task<IChatClient> CreateAsync(string stage, IChatClient inner)
    {
        if (stage == "metering")
        {
            return new CostMeteringChatClient(inner, telemetry: new LlmOpsTelemetry());
        }

        var registry = new PromptRegistry(new InMemoryPromptStore());
        await registry.RegisterAsync(new PromptTemplate("greet", [new(ChatRole.System, "Be kind.")]));
        return new PromptRegistryChatClient(inner, registry);
    }

    private static async Task<ChatResponse> Run(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions options, bool streaming)
        => streaming
            ? await client.GetStreamingResponseAsync(messages, options).ToChatResponseAsync()
            : await client.GetResponseAsync(messages, options);
}
