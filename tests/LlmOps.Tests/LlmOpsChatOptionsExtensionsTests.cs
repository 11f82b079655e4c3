using Microsoft.Extensions.AI;

namespace LlmOps.Tests;

public sealed class LlmOpsChatOptionsExtensionsTests
{
    [Fact]
    public void WithScope_ReturnsCopy_CallerOptionsUntouched()
    {
        var caller = new ChatOptions { ModelId = "m", AdditionalProperties = new() { ["a"] = 1 } };

        var scoped = caller.WithScope("t1", "u1", "search");

        Assert.NotSame(caller, scoped);
        Assert.Equal(LlmOpsScope.Global, caller.GetScope());
        Assert.Equal(new LlmOpsScope("t1", "u1", "search"), scoped.GetScope());
        Assert.Equal("m", scoped.ModelId);
        Assert.Equal(1, scoped.AdditionalProperties!["a"]);
        Assert.Single(caller.AdditionalProperties);
    }

    [Fact]
    public void WithScope_OptionsWhoseCloneSharesTheDictionary_CallerDictionaryUntouched()
    {
        var caller = new ShallowCloningOptions { AdditionalProperties = new() { ["a"] = 1 } };

        var scoped = caller.WithScope("t1");

        Assert.NotSame(caller.AdditionalProperties, scoped.AdditionalProperties);
        Assert.Single(caller.AdditionalProperties);
        Assert.Equal("t1", scoped.GetScope().Tenant);
        Assert.Equal(1, scoped.AdditionalProperties!["a"]);
    }

    [Fact]
    public void WithScope_NullOptions_CreatesOptions()
        => Assert.Equal("t", ((ChatOptions?)null).WithScope("t").GetScope().Tenant);

    [Fact]
    public void GetScope_NoScope_IsGlobal()
    {
        Assert.True(((ChatOptions?)null).GetScope().IsGlobal);
        Assert.True(new ChatOptions().GetScope().IsGlobal);
    }

    [Theory]
    [InlineData("a/b", null, "a", "b/")]
    [InlineData("a", "b", "a", null)]
    [InlineData("", null, null, null)]
    public void ToKey_DifferentScopes_NeverCollide(string? t1, string? u1, string? t2, string? u2)
        => Assert.NotEqual(new LlmOpsScope(t1, u1).ToKey(), new LlmOpsScope(t2, u2).ToKey());

    /// <summary>A subclass whose <see cref="ChatOptions.Clone"/> shares its dictionary (MEAI's own copies it).</summary>
    private sealed class ShallowCloningOptions : ChatOptions
    {
        public override ChatOptions Clone() => new ShallowCloningOptions { ModelId = ModelId, AdditionalProperties = AdditionalProperties };
    }
}
