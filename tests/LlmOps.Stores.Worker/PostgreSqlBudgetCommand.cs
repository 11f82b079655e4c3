using System.Globalization;
using LlmOps.Metering;
using LlmOps.PostgreSql;
using Npgsql;

namespace LlmOps.Stores.Worker;

/// <summary>
/// <c>pg-budget &lt;connection&gt; &lt;schema&gt; &lt;limit&gt; &lt;cost&gt; &lt;count&gt; &lt;go-file&gt;</c>: makes <c>count</c> concurrent
/// asynchronous reservations of <c>cost</c> against the budget "shared" (tenant acme, <c>limit</c> USD) in PostgreSQL,
/// after printing <c>ready</c> and seeing the file <c>go-file</c>; settles each admitted one at exactly <c>cost</c> and
/// prints <c>admitted=N rejected=M</c>. At most 20 connections per process (4 processes stay under the server's 100).
/// With two more arguments, <c>&lt;leaseMs&gt; hold</c>, the budget store's lease is <c>leaseMs</c> and the admitted
/// reservations are kept open: the worker prints <c>held=N</c> and waits to be killed.
/// </summary>
internal sealed class PostgreSqlBudgetCommand : IWorkerCommand
{
    public string Name => "pg-budget";

    public async Task<int> RunAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var inv = CultureInfo.InvariantCulture;
        var (connection, schema) = (arguments[0], arguments[1]);
        var limit = decimal.Parse(arguments[2], inv);
        var cost = decimal.Parse(arguments[3], inv);
        var count = int.Parse(arguments[4], inv);
        var go = arguments[5];
        TimeSpan? lease = arguments.Length > 6 ? TimeSpan.FromMilliseconds(int.Parse(arguments[6], inv)) : null;
        var hold = arguments.Length > 7 && arguments[7] == "hold";
        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connection) { MaxPoolSize = 20, Timeout = 300, CommandTimeout = 300 }.ConnectionString);
        var manager = new BudgetManager([new Budget(new LlmOpsScope("acme"), limit) { Name = "shared" }], store: new PostgreSqlBudgetStore(dataSource, schema, lease));
        var held = new System.Collections.Concurrent.ConcurrentBag<BudgetReservation>();
        var admitted = 0;
        var rejected = 0;

        Console.WriteLine("ready");
        Console.Out.Flush();
        while (!File.Exists(go))
        {
            await Task.Delay(5, cancellationToken);
        }

        var tasks = Enumerable.Range(0, count).Select(async i =>
        {
            await Task.Yield();
            try
            {
                var reservation = await manager.ReserveAsync(new LlmOpsScope("acme", "u" + (i % 7).ToString(inv)), cost, cancellationToken);
                Interlocked.Increment(ref admitted);
                if (hold)
                {
                    held.Add(reservation);
                    return;
                }

                await reservation.SettleAsync(cost);
            }
            catch (BudgetExceededException)
            {
                Interlocked.Increment(ref rejected);
            }
        }).ToArray();
        await Task.WhenAll(tasks);
        if (hold)
        {
            Console.WriteLine($"held={held.Count}");
            Console.Out.Flush();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        Console.WriteLine($"admitted={admitted} rejected={rejected}");
        return 0;
    }
}
