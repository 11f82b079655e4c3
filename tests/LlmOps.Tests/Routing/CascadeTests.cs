using LlmOps.Metering;
using LlmOps.Routing;
using LlmOps.Testing;
using Microsoft.Extensions.AI;
using static LlmOps.Tests.Routing.RoutingTestKit;

namespace LlmOps.Tests.Routing;

public class CascadeTests
{
    /// <summary>Rejects answers whose text is in the set; counts its calls.</summary>
    private sealed class SetVerifier(params string[] rejected) : IAnswerVerifier
    {
        public int Calls;

        public string Name => "set";

        public ValueTask<string?> VerifyAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, ChatResponse response, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return new(rejected.Contains(response.Text) ? $"'{response.Text}' is not good enough" : null);
        }
    }

    private static ModelRoutingOptions Tiered(IChatClient small, IChatClient medium, IChatClient large, params IAnswerVerifier[] verifiers)
    {
        var options = new ModelRoutingOptions { DefaultGroup = "small" };
        options.Deployments.Add(Deployment("s", small, "small-model", ModelTier.Small));
        options.Deployments.Add(Deployment("m", medium, "medium-model", ModelTier.Medium));
        options.Deployments.Add(Deployment("l", large, "large-model", ModelTier.Large));
        options.Groups.Add(new ModelGroup { Name = "small", Tier = ModelTier.Small, Deployments = ["s"] });
        options.Groups.Add(new ModelGroup { Name = "medium", Tier = ModelTier.Medium, Deployments = ["m"] });
        options.Groups.Add(new ModelGroup { Name = "large", Tier = ModelTier.Large, Deployments = ["l"] });
        options.Cascade.Enabled = true;
        foreach (var v in verifiers)
        {
            options.Cascade.Verifiers.Add(v);
        }

        return options;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Cascade_EscalatesExactlyWhenTheVerifierRejects(bool streaming)
    {
        // The small tier answers "bad" for prompts containing "hard"; the verifier rejects "bad".
        var small = new ScriptedChatClient().WhenLastUserMessageContains("hard", "bad").Otherwise("small ok");
        var medium = Answering("medium ok");
        var large = Answering("large ok");
        var verifier = new SetVerifier("bad");
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Tiered(small, medium, large, verifier));
        var tier = new ChatOptions().WithModelTier(ModelTier.Small);
        var escalations = 0;
        var rejections = 0;

        for (var i = 0; i < 40; i++)
        {
            var hard = i % 3 == 0;
            var response = await GetAsync(client, streaming, tier, hard ? $"hard question {i}" : $"easy question {i}");
            var routing = response.GetRouting()!;
            escalations += routing.Escalations.Count;
            rejections += hard ? 1 : 0;
            Assert.Equal(hard ? "medium ok" : "small ok", response.Text);
            Assert.Equal(hard ? "m" : "s", routing.Deployment);
            if (hard)
            {
                var escalation = Assert.Single(routing.Escalations);
                Assert.Equal("s", escalation.Deployment);
                Assert.Contains("set: 'bad' is not good enough", escalation.Reason, StringComparison.Ordinal);
            }
        }

        Assert.Equal(rejections, escalations);
        Assert.Equal(14, medium.CallCount);
        Assert.Equal(0, large.CallCount);
    }

    [Fact]
    public async Task Cascade_StopsAtTheLastTierWithoutVerifyingIt()
    {
        var verifier = new SetVerifier("a", "b", "c");
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Tiered(Answering("a"), Answering("b"), Answering("c"), verifier));

        var response = await client.GetResponseAsync(Ask(), new ChatOptions().WithModelTier(ModelTier.Small));

        Assert.Equal("c", response.Text);
        Assert.Equal(2, response.GetRouting()!.Escalations.Count);
        Assert.Equal(2, verifier.Calls);
    }

    [Fact]
    public async Task Cascade_ExplicitGroup_IsNeverCascaded()
    {
        var verifier = new SetVerifier("a");
        var medium = Answering("b");
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Tiered(Answering("a"), medium, Answering("c"), verifier));

        var response = await client.GetResponseAsync(Ask(), Chat("small"));

        Assert.Equal("a", response.Text);
        Assert.Equal(0, verifier.Calls);
        Assert.Equal(0, medium.CallCount);
    }

    [Fact]
    public async Task Cascade_Streaming_NoTextFromARejectedTierReachesTheCaller()
    {
        var small = new ScriptedChatClient().Otherwise(ScriptedResponse.FromText("I'm sorry, but I can't help with that.").ChunkedByWords());
        var medium = new ScriptedChatClient().Otherwise(ScriptedResponse.FromText("Here is the full answer.").ChunkedByWords());
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Tiered(small, medium, Answering("c"), new RefusalAnswerVerifier()));

        var texts = new List<string>();
        await foreach (var update in client.GetStreamingResponseAsync(Ask(), new ChatOptions().WithModelTier(ModelTier.Small)))
        {
            texts.Add(update.Text);
        }

        Assert.Equal("Here is the full answer.", string.Concat(texts));
        // Tiers that may still be escalated are read whole, then verified; only the accepted answer is replayed.
        Assert.False(small.Requests[0].IsStreaming);
        Assert.False(medium.Requests[0].IsStreaming);
    }

    [Theory]
    [InlineData("I'm sorry, but I can't help with that request.", true)]
    [InlineData("As an AI language model, I cannot browse the web.", true)]
    [InlineData("I cannot assist with creating malware.", true)]
    [InlineData("Sorry for the delay! The capital of Peru is Lima.", false)]
    [InlineData("The function cannot return null because the guard throws first.", false)]
    public async Task RefusalVerifier_DetectsRefusalsOnly(string text, bool refusal)
    {
        var reason = await new RefusalAnswerVerifier().VerifyAsync(Ask(), null, new ChatResponse(new ChatMessage(ChatRole.Assistant, text)), default);
        Assert.Equal(refusal, reason is not null);
    }

    [Fact]
    public async Task EmptyOrTruncatedVerifier_RejectsEmptyAndLength()
    {
        var verifier = new EmptyOrTruncatedAnswerVerifier();
        Assert.NotNull(await verifier.VerifyAsync(Ask(), null, new ChatResponse(new ChatMessage(ChatRole.Assistant, " ")), default));
        Assert.NotNull(await verifier.VerifyAsync(Ask(), null, new ChatResponse(new ChatMessage(ChatRole.Assistant, "half an ans")) { FinishReason = ChatFinishReason.Length }, default));
        Assert.Null(await verifier.VerifyAsync(Ask(), null, new ChatResponse(new ChatMessage(ChatRole.Assistant, "fine")) { FinishReason = ChatFinishReason.Stop }, default));
    }

    [Fact]
    public async Task JsonSchemaVerifier_RejectsInvalidJsonOnlyWhenJsonWasAsked()
    {
        var verifier = new JsonSchemaAnswerVerifier();
        var schema = System.Text.Json.JsonDocument.Parse("""{"type":"object","required":["name"]}""").RootElement;
        var json = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema) };
        static ChatResponse R(string t) => new(new ChatMessage(ChatRole.Assistant, t));

        Assert.NotNull(await verifier.VerifyAsync(Ask(), json, R("not json"), default));
        Assert.NotNull(await verifier.VerifyAsync(Ask(), json, R("""{"other":1}"""), default));
        Assert.Null(await verifier.VerifyAsync(Ask(), json, R("""{"name":"x"}"""), default));
        Assert.Null(await verifier.VerifyAsync(Ask(), null, R("not json"), default));
    }

    [Fact]
    public async Task GuardrailVerifier_BlockedOutput_Escalates()
    {
        var verifier = new GuardrailAnswerVerifier([new LlmOps.Guardrails.Scanners.BannedContentGuardrail(substrings: ["FORBIDDEN"]) { Stages = LlmOps.Guardrails.GuardrailStage.Output }]);
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Tiered(Answering("FORBIDDEN words"), Answering("clean"), Answering("c"), verifier));

        var response = await client.GetResponseAsync(Ask(), new ChatOptions().WithModelTier(ModelTier.Small));

        Assert.Equal("clean", response.Text);
        Assert.StartsWith("guardrails:", response.GetRouting()!.Escalations[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JudgeVerifier_FailVerdict_Escalates()
    {
        var judge = new ScriptedChatClient().WhenLastUserMessageContains("Answer:\nweak", "FAIL: misses the second part").Otherwise("PASS");
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Tiered(Answering("weak"), Answering("strong"), Answering("c"), new JudgeAnswerVerifier(judge)));

        var response = await client.GetResponseAsync(Ask(), new ChatOptions().WithModelTier(ModelTier.Small));

        Assert.Equal("strong", response.Text);
        Assert.Contains("misses the second part", response.GetRouting()!.Escalations[0].Reason, StringComparison.Ordinal);
        Assert.Equal(2, judge.CallCount);
    }

    [Fact]
    public async Task VerifierThatThrows_IsLoggedAndAccepts()
    {
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger<ModelRoutingChatClient>();
        var judge = new ScriptedChatClient().Otherwise(ScriptedResponse.Failure(() => new InvalidOperationException("judge down")));
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Tiered(Answering("a"), Answering("b"), Answering("c"), new JudgeAnswerVerifier(judge)), logger: logger);

        var response = await client.GetResponseAsync(Ask(), new ChatOptions().WithModelTier(ModelTier.Small));

        Assert.Equal("a", response.Text);
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 1705);
    }
}
