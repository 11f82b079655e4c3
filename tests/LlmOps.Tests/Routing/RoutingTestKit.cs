using System.Net;
using LlmOps.Metering;
using LlmOps.Routing;
using LlmOps.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LlmOps.Tests.Routing;

/// <summary>Builders shared by the routing tests: scripted deployments, provider-like errors, a fake clock driver.</summary>
internal static class RoutingTestKit
{
    public static ChatMessage[] Ask(string text = "hello") => [new(ChatRole.User, text)];

    public static ScriptedChatClient Answering(string text, TimeProvider? time = null)
        => new ScriptedChatClient(time).Otherwise(ScriptedResponse.FromText(text).ChunkedByWords().WithUsage(10, 5));

    public static ScriptedChatClient Failing(Func<Exception> error, TimeProvider? time = null)
        => new ScriptedChatClient(time).Otherwise(ScriptedResponse.Failure(error));

    /// <summary>An error as a provider's HTTP client reports it, with an optional <c>Retry-After</c>.</summary>
    public static HttpRequestException Http(int status, TimeSpan? retryAfter = null, string? message = null)
    {
        var ex = new HttpRequestException(message ?? $"Response status code does not indicate success: {status}.", null, (HttpStatusCode)status);
        if (retryAfter is { } delay)
        {
            ex.Data[RoutingFailureClassifier.RetryAfterKey] = delay;
        }

        return ex;
    }

    public static ModelDeployment Deployment(string name, IChatClient client, string? model = null, ModelTier? tier = null) => new()
    {
        Name = name,
        ModelId = model ?? name + "-model",
        Client = client,
        Tier = tier,
    };

    /// <summary>Options with one group <c>chat</c> over the given deployments; jitter off (randomizer 0.5).</summary>
    public static ModelRoutingOptions Options(params ModelDeployment[] deployments)
    {
        var options = new ModelRoutingOptions();
        foreach (var d in deployments)
        {
            options.Deployments.Add(d);
        }

        options.Groups.Add(new ModelGroup { Name = "chat", Deployments = [.. deployments.Select(d => d.Name)], LoadBalancing = LoadBalancingStrategy.LeastInFlight });
        options.Resilience.Randomizer = () => 0.5;
        options.Resilience.RetryBaseDelay = TimeSpan.Zero;
        return options;
    }

    public static ChatOptions Chat(string group = "chat") => new() { ModelId = group };

    /// <summary>
    /// Advances the fake clock in steps, never further than <paramref name="limit"/> in all, until the task completes;
    /// then waits for it. Work that follows a timer may finish on another thread (the first exception thrown in a process
    /// is slow), so the clock is never moved past the limit the test reasons about.
    /// </summary>
    public static async Task<T> DriveAsync<T>(this FakeTimeProvider time, Task<T> task, TimeSpan? step = null, TimeSpan? limit = null)
    {
        var s = step ?? TimeSpan.FromMilliseconds(100);
        var end = time.GetUtcNow() + (limit ?? TimeSpan.FromSeconds(30));
        while (!task.IsCompleted && time.GetUtcNow() < end)
        {
            for (var i = 0; i < 64 && !task.IsCompleted; i++)
            {
                await Task.Yield();
            }

            if (!task.IsCompleted)
            {
                time.Advance(s);
            }
        }

        // A guard against a hang, not a wait for time to pass: the fake clock no longer moves.
        return await task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public static async Task<ChatResponse> GetAsync(IChatClient client, bool streaming, ChatOptions? options = null, string text = "hello", CancellationToken cancellationToken = default)
        => streaming
            ? await client.GetStreamingResponseAsync(Ask(text), options, cancellationToken).ToChatResponseAsync(cancellationToken)
            : await client.GetResponseAsync(Ask(text), options, cancellationToken);
}
