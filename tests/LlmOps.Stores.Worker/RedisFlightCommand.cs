using System.Globalization;
using System.Runtime.CompilerServices;
using LlmOps.Caching;
using LlmOps.Redis;
using Microsoft.Extensions.AI;
using StackExchange.Redis;

namespace LlmOps.Stores.Worker;

/// <summary>
/// <c>redis-flight &lt;connection&gt; &lt;prefix&gt; ok|fail-first &lt;streaming&gt; &lt;leaseMs&gt; &lt;waitMs&gt;</c>: one instance of an
/// application with a <see cref="SemanticCachingChatClient"/> over a <see cref="RedisSemanticCacheStore"/>, sending one
/// fixed cold request after printing <c>ready</c> and seeing the key <c>&lt;prefix&gt;:go</c>. It prints <c>leading</c> when it
/// takes the lease across instances and <c>waiting</c> when it waits for another instance. Its provider counts every
/// call in the Redis key <c>&lt;prefix&gt;:calls</c> (so the count spans processes), prints <c>called</c>, and answers only
/// once the key <c>&lt;prefix&gt;:release</c> exists; with <c>fail-first</c>, the first call across all processes throws
/// instead. The request ends with <c>result=&lt;text&gt; tier=&lt;tier&gt;</c> or <c>error=&lt;exception type&gt;</c>.
/// </summary>
internal sealed class RedisFlightCommand : IWorkerCommand
{
    public string Name => "redis-flight";

    public async Task<int> RunAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var inv = CultureInfo.InvariantCulture;
        var (connection, prefix, mode) = (arguments[0], arguments[1], arguments[2]);
        var streaming = bool.Parse(arguments[3]);
        var options = new RedisOptions
        {
            KeyPrefix = prefix,
            SingleFlightLease = TimeSpan.FromMilliseconds(int.Parse(arguments[4], inv)),
            SingleFlightWait = TimeSpan.FromMilliseconds(int.Parse(arguments[5], inv)),
            SingleFlightPollInterval = TimeSpan.FromMilliseconds(10),
        };

        await using var redis = await ConnectionMultiplexer.ConnectAsync(connection);
        using var store = new RedisSemanticCacheStore(redis, options);
        var db = redis.GetDatabase();
        var provider = new CountingProvider(db, prefix, failFirst: mode == "fail-first");
        using var cache = new SemanticCachingChatClient(provider, new AnnouncingStore(store));
        ChatMessage[] messages = [new(ChatRole.User, "What is the boiling point of water at sea level?")];
        var chatOptions = new ChatOptions { ModelId = "m1" };

        Say("ready");
        while (!await db.KeyExistsAsync(prefix + ":go"))
        {
            await Task.Delay(5, cancellationToken);
        }

        try
        {
            ChatResponse response;
            SemanticCacheResult? result = null;
            if (streaming)
            {
                var updates = new List<ChatResponseUpdate>();
                await foreach (var update in cache.GetStreamingResponseAsync(messages, chatOptions, cancellationToken))
                {
                    result ??= update.GetCacheResult();
                    updates.Add(update);
                }

                response = updates.ToChatResponse();
            }
            else
            {
                response = await cache.GetResponseAsync(messages, chatOptions, cancellationToken);
                result = response.GetCacheResult();
            }

            Say($"result={response.Text.Replace(' ', '_')} cache={result?.Status.ToString() ?? "none"}/{result?.Tier.ToString() ?? "none"}");
        }
        catch (Exception ex)
        {
            Say("error=" + ex.GetType().Name);
        }

        return 0;
    }

    private static void Say(string line)
    {
        Console.WriteLine(line);
        Console.Out.Flush();
    }

    /// <summary>The provider: counts calls across processes, then answers (or fails) once the test releases it.</summary>
    private sealed class CountingProvider(IDatabase db, string prefix, bool failFirst) : IChatClient
    {
        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => new(new ChatMessage(ChatRole.Assistant, await AnswerAsync(cancellationToken))) { FinishReason = ChatFinishReason.Stop, ModelId = "m1" };

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var text = await AnswerAsync(cancellationToken);
            var words = text.Split(' ');
            for (var i = 0; i < words.Length; i++)
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, i == 0 ? words[i] : " " + words[i])
                {
                    ModelId = "m1",
                    FinishReason = i == words.Length - 1 ? ChatFinishReason.Stop : null,
                };
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }

        private async Task<string> AnswerAsync(CancellationToken cancellationToken)
        {
            var number = await db.StringIncrementAsync(prefix + ":calls");
            Say("called");
            while (!await db.KeyExistsAsync(prefix + ":release"))
            {
                await Task.Delay(5, cancellationToken);
            }

            if (failFirst && number == 1)
            {
                throw new InvalidOperationException("the provider failed (first call)");
            }

            return $"100 degrees Celsius (call {number.ToString(CultureInfo.InvariantCulture)})";
        }
    }

    /// <summary>Passes everything to the Redis store and says when this instance leads or waits across instances.</summary>
    private sealed class AnnouncingStore(RedisSemanticCacheStore inner) : ISemanticCacheStore, ISemanticCacheFlightCoordinator
    {
        public ValueTask<SemanticCacheEntry?> GetAsync(SemanticCacheKey key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);

        public ValueTask<SemanticCacheMatch?> FindNearestAsync(SemanticCacheKey partition, ReadOnlyMemory<float> embedding, CancellationToken cancellationToken = default)
            => inner.FindNearestAsync(partition, embedding, cancellationToken);

        public ValueTask SetAsync(SemanticCacheEntry entry, CancellationToken cancellationToken = default) => inner.SetAsync(entry, cancellationToken);

        public ValueTask<int> InvalidateAsync(SemanticCacheInvalidation selection, CancellationToken cancellationToken = default) => inner.InvalidateAsync(selection, cancellationToken);

        public async ValueTask<IAsyncDisposable?> TryLeadAsync(SemanticCacheKey key, CancellationToken cancellationToken = default)
        {
            var lease = await inner.TryLeadAsync(key, cancellationToken);
            if (lease is not null)
            {
                Say("leading");
            }

            return lease;
        }

        public ValueTask<SemanticCacheEntry?> WaitForLeaderAsync(SemanticCacheKey key, TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            Say("waiting");
            return inner.WaitForLeaderAsync(key, timeout, cancellationToken);
        }
    }
}
