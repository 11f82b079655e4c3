using System.Globalization;
using System.Runtime.CompilerServices;
using LlmOps.Metering;
using LlmOps.PostgreSql;
using Microsoft.Extensions.AI;
using Npgsql;

namespace LlmOps.Stores.Worker;

/// <summary>
/// <c>ledger-load &lt;postgres|sqlite&gt; &lt;connection string or file&gt; &lt;schema&gt; &lt;process&gt; &lt;calls&gt;</c>: makes
/// streaming calls through <see cref="CostMeteringChatClient"/> into a real ledger, 30% cancelled by the caller after
/// the first chunk and 10% faulted by the provider after it, and prints what the provider reported:
/// <c>calls=… completed=… cancelled=… faulted=… cost=…</c> (the exact decimal the ledger must hold).
/// </summary>
internal sealed class LedgerLoadCommand : IWorkerCommand
{
    private const string Model = "ledger-test-model";
    private const decimal InputPrice = 0.15m;
    private const decimal OutputPrice = 0.60m;

    public string Name => "ledger-load";

    public async Task<int> RunAsync(string[] arguments, CancellationToken cancellationToken)
    {
        if (arguments.Length != 5)
        {
            await Console.Error.WriteLineAsync("usage: ledger-load <postgres|sqlite> <connection> <schema> <process> <calls>");
            return 2;
        }

        var process = int.Parse(arguments[3], CultureInfo.InvariantCulture);
        var calls = int.Parse(arguments[4], CultureInfo.InvariantCulture);
        await using var ledger = await LedgerFactory.OpenAsync(arguments[0], arguments[1], arguments[2]);
        var catalog = new ModelCatalog([new ModelDefinition(Model, ModelTier.Small, new ModelPrice(InputPrice, OutputPrice))]);
        var metering = new CostMeteringChatClient(new ReportingProvider(), new CostCalculator(catalog), ledger.Ledger);

        var expected = 0m;
        int completed = 0, cancelled = 0, faulted = 0;
        var gate = new Lock();
        await Parallel.ForAsync(0, calls, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            // A deterministic mix per process: 30% cancelled, 10% faulted, 60% completed.
            var random = new Random((process * 1_000_003) + i);
            var outcome = random.Next(10) switch { < 3 => Outcome.Cancelled, 3 => Outcome.Faulted, _ => Outcome.Completed };
            var input = random.Next(1, 5_000);
            var output = random.Next(0, 2_000);
            var options = new ChatOptions { ModelId = Model, AdditionalProperties = new() { ["test.outcome"] = outcome, ["test.input"] = input, ["test.output"] = output } }
                .WithScope($"tenant{i % 3}", $"user{process}");
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
            try
            {
                await foreach (var _ in metering.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], options, cancel.Token))
                {
                    if (outcome == Outcome.Cancelled) await cancel.CancelAsync();
                }
            }
            catch (OperationCanceledException) when (outcome == Outcome.Cancelled)
            {
            }
            catch (InvalidOperationException) when (outcome == Outcome.Faulted)
            {
            }

            // What the provider reported before the call ended, priced per 1M tokens.
            var cost = (input * InputPrice / 1_000_000m) + (output * OutputPrice / 1_000_000m);
            lock (gate)
            {
                expected += cost;
                _ = outcome switch { Outcome.Cancelled => cancelled++, Outcome.Faulted => faulted++, _ => completed++ };
            }
        });

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"calls={calls} completed={completed} cancelled={cancelled} faulted={faulted} cost={expected}"));
        return 0;
    }

    private enum Outcome
    {
        Completed,
        Cancelled,
        Faulted,
    }

    /// <summary>A provider that reports its usage in the first chunk, then finishes, waits to be cancelled, or fails.</summary>
    private sealed class ReportingProvider : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException("The ledger load uses streaming calls only.");

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var properties = options!.AdditionalProperties!;
            var usage = new UsageDetails { InputTokenCount = (int)properties["test.input"]!, OutputTokenCount = (int)properties["test.output"]! };
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new TextContent("partial"), new UsageContent(usage)]) { ModelId = Model };
            await Task.Yield();
            switch ((Outcome)properties["test.outcome"]!)
            {
                case Outcome.Cancelled:
                    cancellationToken.ThrowIfCancellationRequested();
                    throw new InvalidOperationException("The caller was meant to cancel.");
                case Outcome.Faulted:
                    throw new InvalidOperationException("The provider failed mid-stream.");
                default:
                    yield return new ChatResponseUpdate(ChatRole.Assistant, " done") { ModelId = Model, FinishReason = ChatFinishReason.Stop };
                    break;
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
