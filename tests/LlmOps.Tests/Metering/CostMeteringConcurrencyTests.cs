using System.Runtime.CompilerServices;
using LlmOps.Metering;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;

namespace LlmOps.Tests.Metering;

public class CostMeteringConcurrencyTests
{
    private const int Calls = 10_000;
    private const int InputTokens = 120;
    private const int OutputTokens = 8;
    private static readonly ModelPrice Price = new(2.50m, 10.00m);
    private static readonly ChatMessage[] Messages = [new(ChatRole.User, "Summarise the quarterly report in two lines.")];

    private enum Fate
    {
        Complete,
        Fault,
        Cancel,
        Abandon,
    }

    [Fact]
    public async Task GetResponseAsync_10000ConcurrentCallsWithCancellationsAndFaults_LedgerMatchesReportedUsage()
    {
        var ledger = new InMemoryCostLedger();
        var budgets = new BudgetManager([new Budget(new LlmOpsScope("acme"), 1_000_000m)], telemetry: new LlmOpsTelemetry());
        var calculator = new CostCalculator(new ModelCatalog([new ModelDefinition("m", ModelTier.Large, Price)]));
        var counter = new TokenCounter();
        var client = new CostMeteringChatClient(new ScriptedDouble(), calculator, ledger, budgets, counter, new LlmOpsTelemetry());
        var estimatedInput = counter.CountTokens(Messages, "m");
        var random = new Random(42);
        var plans = Enumerable.Range(0, Calls).Select(i =>
        {
            var roll = random.NextDouble();
            var fate = roll < 0.10 ? Fate.Fault : roll < 0.25 ? Fate.Cancel : roll < 0.40 ? Fate.Abandon : Fate.Complete;
            return (Streaming: i % 2 == 0, Fate: fate, At: random.Next(0, OutputTokens));
        }).ToArray();

        var expected = await Task.WhenAll(plans.Select(p => Task.Run(() => RunOne(client, p.Streaming, p.Fate, p.At, estimatedInput))));

        var records = await ledger.QueryAsync(CostLedgerQuery.All);
        Assert.Equal(Calls, records.Count);
        Assert.Equal(Calls, records.Select(r => (r.RequestId, r.Attempt)).Distinct().Count());
        var total = (await ledger.GetTotalsAsync(CostLedgerQuery.All)).Cost;
        var reported = expected.Sum(e => e.Cost);
        Assert.Equal(Math.Round(reported, 2), Math.Round(total, 2));
        Assert.Equal(reported, total);
        Assert.Equal(0, budgets.OpenReservations);
        var status = Assert.Single(budgets.GetStatus(new LlmOpsScope("acme")));
        Assert.Equal(0m, status.Reserved);
        Assert.Equal(total, status.Spent);
        Assert.Equal(expected.Count(e => !e.Complete), records.Count(r => !r.IsComplete));
        Assert.InRange(expected.Count(e => !e.Complete), Calls * 30 / 100, Calls * 50 / 100);
    }

    /// <summary>Runs one call and returns the cost of the usage the double reported plus the output it streamed.</summary>
    private static async Task<(decimal Cost, bool Complete)> RunOne(IChatClient client, bool streaming, Fate fate, int at, int estimatedInput)
    {
        var options = new ChatOptions { ModelId = "m", MaxOutputTokens = 100, AdditionalProperties = new() { ["fate"] = fate, ["at"] = at } }.WithScope("acme");
        using var cts = new CancellationTokenSource();
        if (!streaming)
        {
            if (fate is Fate.Cancel or Fate.Abandon)
            {
                await cts.CancelAsync();
            }

            try
            {
                await client.GetResponseAsync(Messages, options, cts.Token);
                return (Cost(InputTokens, OutputTokens), true);
            }
            catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
            {
                // Nothing was reported: the input is estimated with the tokenizer, no output.
                return (Cost(estimatedInput, 0), false);
            }
        }

        var received = 0;
        var complete = false;
        var abandoned = false;
        try
        {
            await foreach (var update in client.GetStreamingResponseAsync(Messages, options, cts.Token))
            {
                if (update.Text.Length == 0)
                {
                    continue;
                }

                received++;
                if (received == at + 1 && fate == Fate.Abandon)
                {
                    abandoned = true;
                    break;
                }

                if (received == at + 1 && fate == Fate.Cancel)
                {
                    await cts.CancelAsync();
                }
            }

            // Cancelling after the last chunk leaves nothing to cancel: the stream completes.
            complete = !abandoned && received == OutputTokens;
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
        {
        }

        // The input usage arrives first; each streamed chunk is one token.
        return (Cost(InputTokens, complete ? OutputTokens : received), complete);
    }

    private static decimal Cost(long input, long output) => ((input * Price.Input) + (output * Price.Output)) / 1_000_000m;

    /// <summary>Reads its script (fate, position) from the request's options.</summary>
    private sealed class ScriptedDouble : IChatClient
    {
        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            if ((Fate)options!.AdditionalProperties!["fate"]! == Fate.Fault)
            {
                throw new InvalidOperationException("provider fault");
            }

            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
            {
                ModelId = "m",
                Usage = new UsageDetails { InputTokenCount = InputTokens, OutputTokenCount = OutputTokens },
            };
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var fate = (Fate)options!.AdditionalProperties!["fate"]!;
            var at = (int)options.AdditionalProperties["at"]!;
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = InputTokens })]) { ModelId = "m" };
            for (var i = 0; i < OutputTokens; i++)
            {
                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
                if (fate == Fate.Fault && i == at)
                {
                    throw new InvalidOperationException("provider fault mid-stream");
                }

                yield return new ChatResponseUpdate(ChatRole.Assistant, " hello") { ModelId = "m" };
            }

            yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { OutputTokenCount = OutputTokens })]) { ModelId = "m", FinishReason = ChatFinishReason.Stop };
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
