using LlmOps.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LlmOps.Tests.Testing;

// The README's "Testing prompts in-process" example, kept compiling and passing.
public class ReadmeExampleTests
{
    [Fact]
    public async Task Summariser_AsksForThreeBullets()
    {
        var time = new FakeTimeProvider();
        var model = new ScriptedChatClient(time, time.Advance)
            .WhenLastUserMessageContains("summarise", ScriptedResponse.FromText("- a\n- b\n- c")
                .ChunkedByWords().WithLatency(TimeSpan.FromMilliseconds(400)))
            .Otherwise("I can only summarise.");

        var response = await model.GetStreamingResponseAsync("Please summarise this memo").ToChatResponseAsync();

        Assert.Equal(3, response.Text.Split('\n').Length);
        Assert.Equal("Please summarise this memo", model.Requests[0].LastUserText);
    }
}
