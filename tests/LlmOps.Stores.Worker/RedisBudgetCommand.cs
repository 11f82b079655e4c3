using System.Globalization;
using LlmOps.Metering;
using LlmOps.Redis;
using StackExchange.Redis;

namespace LlmOps.Stores.Worker;

/// <summary>
/// <c>redis-budget &lt;connection&gt; &lt;prefix&gt; &lt;limit&gt; &lt;cost&gt; &lt;count&gt; &lt;leaseMs&gt; settle|hold</c>: makes
/// <c>count</c> concurrent reservations of <c>cost</c> against the budget "shared" (tenant acme, <c>limit</c> USD) in
/// Redis, after printing <c>ready</c> and seeing the key <c>&lt;prefix&gt;:go</c>. <c>settle</c> settles each admitted one at exactly <c>cost</c> and prints <c>admitted=N rejected=M</c>;
/// <c>hold</c> keeps them open, prints <c>held=N</c> and waits to be killed.
/// </summary>
internal sealed class RedisBudgetCommand : IWorkerCommand
{
    public string Name => "redis-budget";

    public async Task<int> RunAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var inv = CultureInfo.InvariantCulture;
        var (connection, prefix) = (arguments[0], arguments[1]);
        var limit = decimal.Parse(arguments[2], inv);
        var cost = decimal.Parse(arguments[3], inv);
        var count = int.Parse(arguments[4], inv);
        var lease = TimeSpan.FromMilliseconds(int.Parse(arguments[5], inv));
        var hold = arguments[6] == "hold";

        // Every reservation is a blocking call on its own thread, so all of them are in flight at once.
        ThreadPool.SetMinThreads(count + 16, count + 16);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(connection);
        var store = new RedisBudgetStore(redis, new RedisOptions { KeyPrefix = prefix, BudgetLease = lease });
        var manager = new BudgetManager([new Budget(new LlmOpsScope("acme"), limit) { Name = "shared" }], store: store);
        var admitted = 0;
        var rejected = 0;
        var held = new System.Collections.Concurrent.ConcurrentBag<BudgetReservation>();
        using var start = new ManualResetEventSlim();

        // Ready, then wait for the test's go key, so every process starts reserving at the same moment.
        Console.WriteLine("ready");
        Console.Out.Flush();
        var db = redis.GetDatabase();
        while (!await db.KeyExistsAsync(prefix + ":go"))
        {
            await Task.Delay(5, cancellationToken);
        }

        var tasks = Enumerable.Range(0, count).Select(i => Task.Run(() =>
        {
            start.Wait(cancellationToken);
            try
            {
                var reservation = manager.Reserve(new LlmOpsScope("acme", "u" + (i % 7).ToString(inv)), cost);
                Interlocked.Increment(ref admitted);
                if (hold)
                {
                    held.Add(reservation);
                }
                else
                {
                    reservation.Settle(cost);
                }
            }
            catch (BudgetExceededException)
            {
                Interlocked.Increment(ref rejected);
            }
        }, cancellationToken)).ToArray();
        start.Set();
        await Task.WhenAll(tasks);

        if (hold)
        {
            Console.WriteLine($"held={held.Count}");
            Console.Out.Flush();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        Console.WriteLine($"admitted={admitted} rejected={rejected}");
        return 0;
    }
}
