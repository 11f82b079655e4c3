using Microsoft.Extensions.AI;

namespace LlmOps.Tests;

public sealed class RequestMessagesTests
{
    [Fact]
    public void Validate_SameListTwiceForOneRequest_ChecksItOnceAndReturnsIt()
    {
        var info = new LlmOpsInfo();
        var options = new LlmOpsRequestOptions(null, info);
        ChatMessage[] messages = [new(ChatRole.User, "hi")];

        Assert.Same(messages, RequestMessages.Validate(messages, "messages", options));
        Assert.Same(messages, options.ValidatedMessages);
        Assert.Same(messages, RequestMessages.Validate(messages, "messages", options));
    }

    [Fact]
    public void Validate_AnotherListForTheSameRequest_IsCheckedAgain()
    {
        var options = new LlmOpsRequestOptions(null, new LlmOpsInfo());
        ChatMessage[] first = [new(ChatRole.User, "hi")];
        ChatMessage[] second = [new(ChatRole.User, "hi"), null!];
        RequestMessages.Validate(first, "messages", options);

        var error = Assert.Throws<ArgumentException>("messages", () => RequestMessages.Validate(second, "messages", options));

        Assert.Contains("messages[1] is null", error.Message, StringComparison.Ordinal);
        Assert.Same(first, options.ValidatedMessages);
    }

    [Fact]
    public void Validate_CallerOptionsWithoutInfo_ChecksEveryTime()
    {
        var options = new ChatOptions();
        ChatMessage[] messages = [new(ChatRole.User, "hi"), null!];

        Assert.Throws<ArgumentException>("messages", () => RequestMessages.Validate(messages, "messages", options));
        Assert.Throws<ArgumentException>("messages", () => RequestMessages.Validate(messages, "messages", null));
    }

    [Fact]
    public void Clone_OfTheRequestOptions_DoesNotCarryTheCheckedList()
    {
        var options = new LlmOpsRequestOptions(null, new LlmOpsInfo());
        ChatMessage[] messages = [new(ChatRole.User, "hi")];
        RequestMessages.Validate(messages, "messages", options);

        var clone = Assert.IsType<LlmOpsRequestOptions>(options.Clone());

        Assert.Null(clone.ValidatedMessages);
        Assert.Same(options.Info, clone.Info);
    }
}
