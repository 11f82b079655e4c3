using LlmOps.Telemetry;
using LlmOps.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmOps.Tests;

public sealed class LlmOpsChatClientBuilderExtensionsTests
{
    [Fact]
    public void UseLlmOps_NullBuilder_Throws()
        => Assert.Throws<ArgumentNullException>("builder", () => LlmOpsChatClientBuilderExtensions.UseLlmOps(null!));

    [Fact]
    public async Task UseLlmOps_WithoutAddLlmOps_UsesDefaultsAndStillWorks()
    {
        var inner = new DelegatingTestChatClient();
        using var provider = new ServiceCollection().BuildServiceProvider();

        using var client = new ChatClientBuilder(inner).UseLlmOps().Build(provider);
        var response = await client.GetResponseAsync("hi");

        Assert.Equal("ok", response.Text);
        Assert.NotNull(client.GetService<InstrumentingChatClient>());
    }

    [Fact]
    public void UseLlmOps_TelemetryDisabled_SkipsTheStage()
    {
        var services = new ServiceCollection();
        services.AddLlmOps(o => o.Telemetry.Enabled = false);
        var inner = new DelegatingTestChatClient();
        services.AddChatClient(inner).UseLlmOps();
        using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<IChatClient>();

        Assert.Null(client.GetService<InstrumentingChatClient>());
        Assert.Same(inner, client);
    }

    [Fact]
    public void UseLlmOps_BuiltTwice_EachBuildUsesItsOwnProvidersServices()
    {
        var builder = new ChatClientBuilder(new DelegatingTestChatClient()).UseLlmOps();
        var s1 = new ServiceCollection();
        s1.AddLlmOps();
        var s2 = new ServiceCollection();
        s2.AddLlmOps(o => o.Telemetry.Enabled = false);
        using var p1 = s1.BuildServiceProvider();
        using var p2 = s2.BuildServiceProvider();

        using var c1 = builder.Build(p1);
        using var c2 = builder.Build(p2);

        Assert.NotNull(c1.GetService<InstrumentingChatClient>());
        Assert.Null(c2.GetService<InstrumentingChatClient>());
    }

    [Fact]
    public void Stages_AreInDesignOrder_TelemetryOutermost()
        => Assert.Equal("telemetry", LlmOpsPipeline.Stages[0].Name);
}
