using LlmOps.Telemetry;
using LlmOps.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmOps.Tests.DependencyInjection;

public sealed class LlmOpsServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddLlmOps_FiveLineProgram_AnswersThroughThePipeline()
    {
        var anyChatClient = new DelegatingTestChatClient
        {
            OnGetResponse = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Hi there"))),
        };
        var services = new ServiceCollection();

        services.AddLlmOps();
        services.AddChatClient(anyChatClient).UseLlmOps();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();
        var response = await client.GetResponseAsync("Hello");

        Assert.Equal("Hi there", response.Text);
        Assert.NotNull(client.GetService<InstrumentingChatClient>());
        Assert.NotNull(response.GetLlmOpsInfo());
        Assert.Equal("Hello", Assert.Single(Assert.Single(anyChatClient.Calls).Messages).Text);
    }

    [Fact]
    public void AddLlmOps_CalledTwice_RegistersServicesOnceAndComposesTheStageConfigurations()
    {
        var services = new ServiceCollection();

        services.AddLlmOps().AddLlmOpsTelemetry(o => o.EnableSensitiveData = true);
        services.AddLlmOps().AddLlmOpsTelemetry(o => o.MaxRecordedContentLength = 99);

        Assert.Single(services, d => d.ServiceType == typeof(LlmOpsTelemetry));
        Assert.Single(services, d => d.ServiceType == typeof(TimeProvider));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<LlmOpsTelemetryOptions>));
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<LlmOpsTelemetryOptions>>().Value;
        Assert.True(options.EnableSensitiveData);
        Assert.Equal(99, options.MaxRecordedContentLength);
    }

    [Fact]
    public void AddLlmOps_InvalidOption_FailsWithMessageNamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddLlmOps().AddLlmOpsTelemetry(o => o.MaxRecordedContentLength = -5);
        services.AddChatClient(new DelegatingTestChatClient()).UseLlmOps();
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IChatClient>());

        Assert.Contains("LlmOpsTelemetryOptions.MaxRecordedContentLength", ex.Message, StringComparison.Ordinal);
        Assert.Contains("-5", ex.Message, StringComparison.Ordinal);
    }

#pragma warning disable CS0618 // the obsolete forwarders keep working for one release
    [Fact]
    public void AddLlmOps_ObsoleteSharedOptions_ForwardToTheTelemetryStage()
    {
        var services = new ServiceCollection();

        services.AddLlmOps(o => o.Telemetry.EnableSensitiveData = true);
        services.AddLlmOps().Configure(o => o.Telemetry = new LlmOpsTelemetryOptions { MaxRecordedContentLength = 77, EnableSensitiveData = true });

        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<LlmOpsTelemetryOptions>>().Value;
        Assert.True(options.EnableSensitiveData);
        Assert.Equal(77, options.MaxRecordedContentLength);
    }
#pragma warning restore CS0618

    [Fact]
    public void AddLlmOps_NullServices_Throws()
        => Assert.Throws<ArgumentNullException>("services", () => LlmOpsServiceCollectionExtensions.AddLlmOps(null!));

    [Fact]
    public void AddLlmOps_ReturnsBuilderOverSameCollection()
    {
        var services = new ServiceCollection();
        var builder = services.AddLlmOps();
        Assert.Same(services, builder.Services);

        builder.AddLlmOpsTelemetry(o => o.IncludeScopeInTags = true);
        using var provider = services.BuildServiceProvider();
        Assert.True(provider.GetRequiredService<IOptions<LlmOpsTelemetryOptions>>().Value.IncludeScopeInTags);
    }

    [Fact]
    public void AddLlmOps_UsesRegisteredTimeProvider()
    {
        var services = new ServiceCollection();
        var fake = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        services.AddSingleton<TimeProvider>(fake);

        services.AddLlmOps();

        using var provider = services.BuildServiceProvider();
        Assert.Same(fake, provider.GetRequiredService<TimeProvider>());
    }
}
