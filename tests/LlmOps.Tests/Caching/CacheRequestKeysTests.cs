using System.Text.Json;
using LlmOps.Caching;
using Microsoft.Extensions.AI;

namespace LlmOps.Tests.Caching;

public sealed class CacheRequestKeysTests
{
    private static List<ChatMessage> BaseMessages() =>
    [
        new(ChatRole.System, "You are terse."),
        new(ChatRole.User, "Hi"),
        new(ChatRole.Assistant, "Hello."),
        new(ChatRole.User, "What is the capital of France?"),
    ];

    private static ChatOptions BaseOptions() => new()
    {
        ModelId = "gpt-x",
        Temperature = 0.2f,
        TopP = 0.9f,
        Seed = 7,
        MaxOutputTokens = 100,
        StopSequences = ["END"],
        ResponseFormat = ChatResponseFormat.Text,
        Tools = [AIFunctionFactory.Create((string city) => city, "lookup", "Looks a city up")],
        Instructions = "Be brief.",
    };

    private static CacheRequestKeys Keys(
        List<ChatMessage>? messages = null, ChatOptions? options = null, LlmOpsScope? scope = null,
        SemanticCachePromptIdentity? prompt = null, int keyVersion = 1)
    {
        var o = options ?? BaseOptions();
        return CacheRequestKeys.Compute(messages ?? BaseMessages(), o, scope ?? new LlmOpsScope("t1", "u1", "f1"), o.ModelId,
            prompt ?? new SemanticCachePromptIdentity("support", "3"), keyVersion);
    }

    [Fact]
    public void Compute_WithoutPartition_SameExactKeyAndQuery_PartitionLeftOut()
    {
        var o = BaseOptions();
        var scope = new LlmOpsScope("t1", "u1", "f1");
        var full = CacheRequestKeys.Compute(BaseMessages(), o, scope, o.ModelId, null, 1);
        var exactOnly = CacheRequestKeys.Compute(BaseMessages(), o, scope, o.ModelId, null, 1, withPartition: false);

        Assert.Equal(full.Exact, exactOnly.Exact);
        Assert.Equal(full.QueryText, exactOnly.QueryText);
        Assert.NotEqual(default, full.Partition);
        Assert.Equal(default, exactOnly.Partition);
    }

    public static TheoryData<string> Fields() =>
    [
        "tenant", "user", "feature", "model", "system message", "earlier user turn", "assistant turn", "last user turn",
        "message role", "author name", "prompt name", "prompt version", "tools", "tool schema", "response format json",
        "response format schema", "temperature", "top-p", "top-k", "seed", "stop sequences", "max tokens", "instructions",
        "frequency penalty", "presence penalty", "tool mode", "key version", "provider property", "extra message",
    ];

    [Theory]
    [MemberData(nameof(Fields))]
    public void Compute_ChangeOneKeyedField_ChangesExactKey(string field)
    {
        var baseline = Keys();
        var changed = field switch
        {
            "tenant" => Keys(scope: new LlmOpsScope("t2", "u1", "f1")),
            "user" => Keys(scope: new LlmOpsScope("t1", "u2", "f1")),
            "feature" => Keys(scope: new LlmOpsScope("t1", "u1", "f2")),
            "model" => Keys(options: With(o => o.ModelId = "gpt-y")),
            "system message" => Keys(messages: WithMessage(0, new ChatMessage(ChatRole.System, "You are verbose."))),
            "earlier user turn" => Keys(messages: WithMessage(1, new ChatMessage(ChatRole.User, "Hey"))),
            "assistant turn" => Keys(messages: WithMessage(2, new ChatMessage(ChatRole.Assistant, "Hi there."))),
            "last user turn" => Keys(messages: WithMessage(3, new ChatMessage(ChatRole.User, "What is the capital of Spain?"))),
            "message role" => Keys(messages: WithMessage(2, new ChatMessage(ChatRole.Tool, "Hello."))),
            "author name" => Keys(messages: WithMessage(1, new ChatMessage(ChatRole.User, "Hi") { AuthorName = "bob" })),
            "prompt name" => Keys(prompt: new SemanticCachePromptIdentity("sales", "3")),
            "prompt version" => Keys(prompt: new SemanticCachePromptIdentity("support", "4")),
            "tools" => Keys(options: With(o => o.Tools = [])),
            "tool schema" => Keys(options: With(o => o.Tools = [AIFunctionFactory.Create((int city) => city, "lookup", "Looks a city up")])),
            "response format json" => Keys(options: With(o => o.ResponseFormat = ChatResponseFormat.Json)),
            "response format schema" => Keys(options: With(o => o.ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse("{\"type\":\"object\"}").RootElement, "answer"))),
            "temperature" => Keys(options: With(o => o.Temperature = 0.3f)),
            "top-p" => Keys(options: With(o => o.TopP = 0.8f)),
            "top-k" => Keys(options: With(o => o.TopK = 5)),
            "seed" => Keys(options: With(o => o.Seed = 8)),
            "stop sequences" => Keys(options: With(o => o.StopSequences = ["STOP"])),
            "max tokens" => Keys(options: With(o => o.MaxOutputTokens = 101)),
            "instructions" => Keys(options: With(o => o.Instructions = "Be long.")),
            "frequency penalty" => Keys(options: With(o => o.FrequencyPenalty = 0.5f)),
            "presence penalty" => Keys(options: With(o => o.PresencePenalty = 0.5f)),
            "tool mode" => Keys(options: With(o => o.ToolMode = ChatToolMode.RequireAny)),
            "key version" => Keys(keyVersion: 2),
            "provider property" => Keys(options: With(o => o.AdditionalProperties = new() { ["reasoning_effort"] = "high" })),
            "extra message" => Keys(messages: [.. BaseMessages().Take(3), new ChatMessage(ChatRole.User, "ok"), BaseMessages()[3]]),
            _ => throw new InvalidOperationException(field),
        };

        Assert.NotEqual(baseline.Exact, changed.Exact);
    }

    [Fact]
    public void Compute_RandomValuesPerField_EveryDistinctValueHasItsOwnKey()
    {
        var random = new Random(1234);
        var mutators = new (string Field, Action<ChatOptions, int> Set)[]
        {
            ("temperature", (o, i) => o.Temperature = i / 97f),
            ("top-p", (o, i) => o.TopP = i / 89f),
            ("top-k", (o, i) => o.TopK = i),
            ("seed", (o, i) => o.Seed = i),
            ("max tokens", (o, i) => o.MaxOutputTokens = i),
            ("model", (o, i) => o.ModelId = "model-" + i),
            ("instructions", (o, i) => o.Instructions = "rule " + i),
            ("stop", (o, i) => o.StopSequences = ["S" + i]),
        };

        foreach (var (field, set) in mutators)
        {
            var values = Enumerable.Range(0, 200).Select(_ => random.Next(1, 100_000)).Distinct().ToList();
            var keys = values.Select(v =>
            {
                var options = BaseOptions();
                set(options, v);
                return Keys(options: options).Exact;
            }).ToHashSet();

            Assert.True(values.Count == keys.Count, $"{field}: {values.Count} distinct values gave {keys.Count} keys");
        }
    }

    [Fact]
    public void Compute_SameRequestTwice_SameKeys()
    {
        Assert.Equal(Keys(), Keys());
    }

    [Fact]
    public void Compute_OnlyLastUserTurnDiffers_SamePartitionDifferentExactKey()
    {
        var a = Keys();
        var b = Keys(messages: WithMessage(3, new ChatMessage(ChatRole.User, "Tell me the capital city of France")));

        Assert.Equal(a.Partition, b.Partition);
        Assert.NotEqual(a.Exact, b.Exact);
        Assert.Equal("Tell me the capital city of France", b.QueryText);
    }

    [Fact]
    public void Compute_ContextDiffers_DifferentPartition()
    {
        Assert.NotEqual(Keys().Partition, Keys(messages: WithMessage(0, new ChatMessage(ChatRole.System, "You are verbose."))).Partition);
        Assert.NotEqual(Keys().Partition, Keys(scope: new LlmOpsScope("t2", "u1", "f1")).Partition);
    }

    [Fact]
    public void Compute_LlmOpsOwnProperties_DoNotChangeKey()
    {
        var options = BaseOptions().WithCacheMode(SemanticCacheMode.Default);
        Assert.Equal(Keys().Exact, Keys(options: options).Exact);
    }

    [Fact]
    public void Compute_AmbiguousConcatenation_DifferentKeys()
    {
        // Length prefixes keep "ab"+"c" apart from "a"+"bc".
        var a = Keys(scope: new LlmOpsScope("ab", "c", null));
        var b = Keys(scope: new LlmOpsScope("a", "bc", null));
        Assert.NotEqual(a.Exact, b.Exact);
    }

    private static ChatOptions With(Action<ChatOptions> change)
    {
        var options = BaseOptions();
        change(options);
        return options;
    }

    private static List<ChatMessage> WithMessage(int index, ChatMessage message)
    {
        var messages = BaseMessages();
        messages[index] = message;
        return messages;
    }
}
