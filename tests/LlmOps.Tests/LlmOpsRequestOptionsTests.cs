using System.Collections;
using System.Reflection;
using Microsoft.Extensions.AI;

namespace LlmOps.Tests;

public sealed class LlmOpsRequestOptionsTests
{
    [Fact]
    public void Constructor_CopiesEveryPublicSettingAsCloneDoes_AndSharesOnlyTheDictionary()
    {
        // Every settable public property gets a non-default value, so a property MEAI adds later and the copy misses fails here.
        var caller = new ChatOptions();
        foreach (var property in typeof(ChatOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            property.SetValue(caller, SampleValue(property.PropertyType, property.Name));
        }

        var cloned = caller.Clone();
        var copy = new LlmOpsRequestOptions(caller, new LlmOpsInfo());

        foreach (var property in typeof(ChatOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var expected = property.GetValue(cloned);
            var actual = property.GetValue(copy);
            Assert.NotNull(actual);
            if (property.Name == nameof(ChatOptions.AdditionalProperties))
            {
                Assert.Same(caller.AdditionalProperties, actual);
                continue;
            }

            if (expected is IEnumerable sequence and not string)
            {
                Assert.Equal(sequence.Cast<object>(), ((IEnumerable)actual).Cast<object>());
            }
            else if (expected is ReasoningOptions reasoning)
            {
                Assert.Equal(reasoning.Effort, ((ReasoningOptions)actual).Effort);
                Assert.Equal(reasoning.Output, ((ReasoningOptions)actual).Output);
            }
            else
            {
                Assert.Equal(expected, actual);
            }

            // Whatever Clone() copies into a new instance (lists, reasoning options) is a new instance here too.
            Assert.Equal(ReferenceEquals(property.GetValue(caller), expected), ReferenceEquals(property.GetValue(caller), actual));
        }
    }

    [Fact]
    public void Clone_KeepsTheInfo_AndCopiesTheDictionary()
    {
        var info = new LlmOpsInfo();
        var caller = new ChatOptions { ModelId = "m", AdditionalProperties = new() { ["a"] = 1 } };
        var request = new LlmOpsRequestOptions(caller, info);

        var clone = request.Clone();

        Assert.Same(info, clone.GetLlmOpsInfo());
        Assert.Equal("m", clone.ModelId);
        Assert.NotSame(caller.AdditionalProperties, clone.AdditionalProperties);
        Assert.Equal(1, clone.AdditionalProperties!["a"]);
    }

    [Fact]
    public void WithScope_OnRequestOptions_CallerDictionaryUntouched_InfoKept()
    {
        var info = new LlmOpsInfo();
        var caller = new ChatOptions { AdditionalProperties = new() { ["a"] = 1 } };
        var request = new LlmOpsRequestOptions(caller, info);

        var scoped = request.WithScope("t1");

        Assert.Single(caller.AdditionalProperties);
        Assert.Same(info, scoped.GetLlmOpsInfo());
        Assert.Equal("t1", scoped.GetScope().Tenant);
        Assert.True(caller.GetScope().IsGlobal);
    }

    [Fact]
    public void GetLlmOpsInfo_InfoInTheDictionary_StillFound()
    {
        var info = new LlmOpsInfo();
        Assert.Same(info, new ChatOptions { AdditionalProperties = new() { ["llmops.info"] = info } }.GetLlmOpsInfo());
    }

    [Fact]
    public void Join_CallerWithoutOptions_CarriesInfoWithoutADictionary()
    {
        var request = LlmOpsRequest.Join(null);

        Assert.True(request.IsOwner);
        Assert.Null(request.Options!.AdditionalProperties);
        Assert.Same(request.Info, request.Options.GetLlmOpsInfo());
        Assert.False(LlmOpsRequest.Join(request.Options).IsOwner);
    }

    private static object SampleValue(Type type, string name)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying switch
        {
            _ when underlying == typeof(string) => name + "-value",
            _ when underlying == typeof(float) => 0.25f,
            _ when underlying == typeof(int) => 7,
            _ when underlying == typeof(long) => 11L,
            _ when underlying == typeof(bool) => true,
            _ when underlying == typeof(IList<string>) => new List<string> { "stop" },
            _ when underlying == typeof(IList<AITool>) => new List<AITool> { AIFunctionFactory.Create(() => 1, "f") },
            _ when underlying == typeof(ReasoningOptions) => new ReasoningOptions { Effort = ReasoningEffort.High },
            _ when underlying == typeof(ChatResponseFormat) => ChatResponseFormat.Json,
            _ when underlying == typeof(ChatToolMode) => ChatToolMode.RequireAny,
            _ when underlying == typeof(AdditionalPropertiesDictionary) => new AdditionalPropertiesDictionary { ["k"] = "v" },
            _ when underlying == typeof(Func<IChatClient, object?>) => (Func<IChatClient, object?>)(_ => "raw"),
            _ when underlying == typeof(ResponseContinuationToken) => ResponseContinuationToken.FromBytes(new byte[] { 1, 2, 3 }),
            _ => throw new InvalidOperationException($"ChatOptions.{name} has a type ({type}) this test has no sample for: add one, and copy the property in LlmOpsRequestOptions."),
        };
    }
}
