using System.Globalization;
using LlmOps.Metering;

namespace LlmOps.Stores.Tests.Engines;

/// <summary>Runs the worker's <c>ledger-load</c> command in several OS processes at once and sums what they report.</summary>
internal static class LedgerLoad
{
    public static async Task<(int Calls, int Completed, int Cancelled, int Faulted, decimal Cost)> RunAsync(string engine, string connection, string schema, int processes, int callsPerProcess)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // a hung worker fails the test instead of hanging it
        var runs = await Task.WhenAll(Enumerable.Range(0, processes).Select(p => WorkerProcess.RunAsync(
            timeout.Token, "ledger-load", engine, connection, schema, p.ToString(CultureInfo.InvariantCulture), callsPerProcess.ToString(CultureInfo.InvariantCulture))));
        var total = (Calls: 0, Completed: 0, Cancelled: 0, Faulted: 0, Cost: 0m);
        foreach (var (exitCode, output, error) in runs)
        {
            Assert.True(exitCode == 0, $"worker failed ({exitCode}): {error}{output}");
            var fields = output.Trim().Split(' ').Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
            total.Calls += int.Parse(fields["calls"], CultureInfo.InvariantCulture);
            total.Completed += int.Parse(fields["completed"], CultureInfo.InvariantCulture);
            total.Cancelled += int.Parse(fields["cancelled"], CultureInfo.InvariantCulture);
            total.Faulted += int.Parse(fields["faulted"], CultureInfo.InvariantCulture);
            total.Cost += decimal.Parse(fields["cost"], CultureInfo.InvariantCulture);
        }

        return total;
    }

    /// <summary>Asserts the ledger's side of the reliability check: one row per attempt, the reported usage to the cent (exactly, in fact).</summary>
    public static async Task AssertLedgerMatchesAsync(ICostLedger ledger, (int Calls, int Completed, int Cancelled, int Faulted, decimal Cost) reported)
    {
        var totals = await ledger.GetTotalsAsync(CostLedgerQuery.All);
        var records = await ledger.QueryAsync(CostLedgerQuery.All);

        Assert.Equal(reported.Calls, totals.Attempts);
        Assert.Equal(reported.Calls, records.Select(r => (r.RequestId, r.Attempt)).Distinct().Count());
        Assert.Equal(reported.Cancelled + reported.Faulted, records.Count(r => !r.IsComplete));
        Assert.Equal(Math.Round(reported.Cost, 2), Math.Round(totals.Cost, 2));
        Assert.Equal(reported.Cost, totals.Cost);
    }
}
