using LlmOps.Caching;
using LlmOps.Guardrails;
using LlmOps.Metering;
using LlmOps.Telemetry;
using LlmOps.Tests.TestDoubles;
using Microsoft.Extensions.AI;

namespace LlmOps.Tests.Pipeline;

/// <summary>
/// The stages whose non-streaming path hands the inner client's task back when they have nothing left to do (telemetry,
/// guardrails with no scanner, a cache bypass, metering): each of them, as the stage that creates the request's info,
/// behaves the same whether the inner call completes at once, completes later or throws before returning a task.
/// </summary>
public sealed class PassThroughStagesTests
{
    public enum InnerKind
    {
        Completed,
        CompletesLater,
        ThrowsSynchronously,
    }

    public static TheoryData<string, InnerKind> Cases()
    {
        var data = new TheoryData<string, InnerKind>();
        foreach (var stage in new[] { "telemetry", "guardrails", "cache", "metering" })
        {
            foreach (var kind in Enum.GetValues<InnerKind>())
            {
                data.Add(stage, kind);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task GetResponseAsync_StageCreatesTheInfo_AttachesItWhateverTheInnerTaskDoes(string stage, InnerKind kind)
    {
        var later = new TaskCompletionSource<ChatResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        var inner = new DelegatingTestChatClient
        {
            OnGetResponse = (_, _, _) => kind switch
            {
                InnerKind.Completed => Task.FromResult(Answer()),
                InnerKind.CompletesLater => later.Task,
                _ => throw new InvalidOperationException("provider down"),
            },
        };
        var ledger = new InMemoryCostLedger();
        using var telemetry = new LlmOpsTelemetry();
        using IChatClient client = stage switch
        {
            "telemetry" => new InstrumentingChatClient(inner, telemetry),
            "guardrails" => new GuardrailsChatClient(inner, new GuardrailsOptions(), telemetry),
            "cache" => new SemanticCachingChatClient(inner, telemetry: telemetry),
            _ => new CostMeteringChatClient(inner, ledger: ledger, telemetry: telemetry),
        };
        var options = new ChatOptions { ModelId = "m" }.WithCacheMode(SemanticCacheMode.Bypass);

        // Never a synchronous throw: a failure comes back in the task, as from an async method.
        var task = client.GetResponseAsync("hi", options);
        if (kind == InnerKind.ThrowsSynchronously)
        {
            Assert.True(task.IsFaulted);
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => task);
            Assert.Equal("provider down", error.Message);
            Assert.Equal(stage == "metering" ? 1 : 0, ledger.Count); // the failed attempt is still metered
            return;
        }

        if (kind == InnerKind.CompletesLater)
        {
            Assert.False(task.IsCompleted);
            later.SetResult(Answer());
        }

        var response = await task;

        var info = Assert.IsType<LlmOpsInfo>(response.GetLlmOpsInfo());
        Assert.Same(info, inner.Calls.Single().Options.GetLlmOpsInfo());
        Assert.Single(options.AdditionalProperties!); // the caller's options are untouched
        switch (stage)
        {
            case "guardrails":
                Assert.False(response.GetGuardrailReport()!.Blocked);
                Assert.Equal("allow", info.Tags[GuardrailsTelemetryNames.ActionAttribute]);
                break;
            case "cache":
                Assert.Equal(SemanticCacheStatus.Bypassed, response.GetCacheResult()!.Status);
                break;
            case "metering":
                Assert.Equal(12, response.GetCost()!.OutputTokens);
                Assert.Equal(1, ledger.Count);
                break;
        }
    }

    [Fact]
    public async Task GetResponseAsync_CacheBypass_ReasonSharedByRequestsIsNeverMarkedStored()
    {
        var inner = new DelegatingTestChatClient { OnGetResponse = (_, _, _) => Task.FromResult(Answer()) };
        using var client = new SemanticCachingChatClient(inner);
        var options = new ChatOptions().WithCacheMode(SemanticCacheMode.Bypass);

        var first = (await client.GetResponseAsync("a", options)).GetCacheResult()!;
        first.Stored = true;
        first.NotStoredReason = "changed";
        var second = (await client.GetResponseAsync("b", options)).GetCacheResult()!;

        Assert.Equal(SemanticCacheStatus.Bypassed, second.Status);
        Assert.Equal("the request opted out (SemanticCacheMode.Bypass)", second.BypassReason);
        Assert.False(second.Stored);
        Assert.Null(second.NotStoredReason);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Telemetry_MoreTagsThanTheStackBufferHolds_AllReachTheMetrics(bool streaming)
    {
        using var telemetry = new LlmOpsTelemetry();
        using var metrics = new MetricRecorder(telemetry.Meter);
        static void AddTags(ChatOptions? options)
        {
            for (var i = 0; i < 40; i++)
            {
                options.GetLlmOpsInfo()!.AddTag($"test.tag{i}", i);
            }
        }

        var inner = new DelegatingTestChatClient
        {
            OnGetResponse = (_, options, _) =>
            {
                AddTags(options);
                return Task.FromResult(Answer());
            },
            OnGetStreamingResponse = (_, options, _) =>
            {
                AddTags(options);
                return new[] { new ChatResponseUpdate(ChatRole.Assistant, "ok") }.ToAsyncEnumerable();
            },
        };
        using var client = new InstrumentingChatClient(inner, telemetry);

        if (streaming)
        {
            await client.GetStreamingResponseAsync("hi").ToChatResponseAsync();
        }
        else
        {
            await client.GetResponseAsync("hi");
        }

        var requests = metrics.Single("llmops.client.requests");
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(i, requests.Tag($"test.tag{i}"));
        }

        Assert.Equal("success", requests.Tag("llmops.outcome"));
        Assert.Null(metrics.Single("gen_ai.client.operation.duration").Tag("llmops.outcome"));
    }

    private static ChatResponse Answer() => new(new ChatMessage(ChatRole.Assistant, "fine"))
    {
        ModelId = "m",
        FinishReason = ChatFinishReason.Stop,
        Usage = new UsageDetails { InputTokenCount = 5, OutputTokenCount = 12 },
    };
}
