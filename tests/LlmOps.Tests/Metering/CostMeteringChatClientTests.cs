using System.Diagnostics.Metrics;
using LlmOps.DependencyInjection;
using LlmOps.Metering;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LlmOps.Tests.Metering;

public class CostMeteringChatClientTests
{
    private static readonly ModelCatalog Catalog = new(
    [
        new ModelDefinition("gpt-4o", ModelTier.Large, new ModelPrice(2.50m, 10.00m, 1.25m)) { MaxOutputTokens = 1000 },
        new ModelDefinition("local-gpu", ModelTier.Medium, new ModelPrice(0m, 0m, GpuPerSecond: 0.01m)),
    ]);

    private static readonly ChatMessage[] Messages = [new(ChatRole.User, "What is the capital of France?")];

    private static readonly decimal ReportedCost = (100 * 2.50m + 20 * 10m) / 1_000_000m;

    private static CostMeteringChatClient Create(
        IChatClient inner, ICostLedger? ledger = null, BudgetManager? budgets = null, LlmOpsTelemetry? telemetry = null, TimeProvider? time = null)
        => new(inner, new CostCalculator(Catalog), ledger, budgets, new TokenCounter(), telemetry ?? new LlmOpsTelemetry(), time);

    private static async Task<ChatResponse> Run(IChatClient client, bool streaming, ChatOptions? options = null, CancellationToken token = default)
        => streaming
            ? await client.GetStreamingResponseAsync(Messages, options, token).ToChatResponseAsync(token)
            : await client.GetResponseAsync(Messages, options, token);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_UsageReported_RecordsCostOnResponseAndLedger(bool streaming)
    {
        var ledger = new InMemoryCostLedger();
        var client = Create(new MeteringTestClient(), ledger);

        var response = await Run(client, streaming, new ChatOptions().WithScope("acme", "bob", "chat"));

        var cost = response.GetCost();
        Assert.NotNull(cost);
        Assert.Equal(ReportedCost, cost.Cost);
        Assert.Equal((100, 20), (cost.InputTokens, cost.OutputTokens));
        Assert.Equal("gpt-4o", cost.Model);
        Assert.Equal(ModelTier.Large, cost.Tier);
        Assert.False(cost.IsEstimated);
        Assert.True(cost.IsComplete);
        Assert.Equal(new LlmOpsScope("acme", "bob", "chat"), cost.Scope);
        var stored = Assert.Single(await ledger.QueryAsync(CostLedgerQuery.All));
        Assert.Equal(cost, stored);
        Assert.Equal(response.GetLlmOpsInfo()!.RequestId, stored.RequestId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_NoUsage_CountsWithTokenizerAndMarksEstimated(bool streaming)
    {
        var client = Create(new MeteringTestClient { Usage = null });
        var counter = new TokenCounter();

        var cost = (await Run(client, streaming)).GetCost()!;

        Assert.True(cost.IsEstimated);
        Assert.True(cost.IsComplete);
        Assert.Equal(counter.CountTokens(Messages, "gpt-4o"), cost.InputTokens);
        Assert.Equal(counter.CountTokens(" hello world", "gpt-4o"), cost.OutputTokens);
        Assert.True(cost.Cost > 0);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_UsageInPiecesOrLate_SumsToSameCost()
    {
        var pieces = (await Run(Create(new MeteringTestClient { SplitUsage = true }), streaming: true)).GetCost()!;
        var late = (await Run(Create(new MeteringTestClient { SplitUsage = false }), streaming: true)).GetCost()!;

        Assert.Equal(ReportedCost, pieces.Cost);
        Assert.Equal(pieces with { RequestId = late.RequestId, Timestamp = late.Timestamp }, late);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_EarlyBreak_RecordsInputAndOutputSoFarAsIncomplete()
    {
        var ledger = new InMemoryCostLedger();
        var client = Create(new MeteringTestClient { Chunks = [" hello", " hello", " hello"] }, ledger);

        var texts = 0;
        await foreach (var update in client.GetStreamingResponseAsync(Messages))
        {
            if (update.Text.Length > 0 && ++texts == 2)
            {
                break;
            }
        }

        var record = Assert.Single(await ledger.QueryAsync(CostLedgerQuery.All));
        Assert.False(record.IsComplete);
        Assert.True(record.IsEstimated);
        Assert.Equal(100, record.InputTokens);
        Assert.Equal(2, record.OutputTokens);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CancelledMidStream_RecordedAndReservationSettled()
    {
        var ledger = new InMemoryCostLedger();
        var budgets = new BudgetManager([new Budget(new LlmOpsScope("acme"), 100m)], telemetry: new LlmOpsTelemetry());
        var client = Create(new MeteringTestClient { Chunks = [" hello", " hello", " hello"] }, ledger, budgets);
        using var cts = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(Messages, new ChatOptions().WithScope("acme"), cts.Token))
            {
                if (update.Text.Length > 0)
                {
                    await cts.CancelAsync();
                }
            }
        });

        var record = Assert.Single(await ledger.QueryAsync(CostLedgerQuery.All));
        Assert.False(record.IsComplete);
        Assert.Equal(1, record.OutputTokens);
        Assert.Equal(0, budgets.OpenReservations);
        var status = Assert.Single(budgets.GetStatus(new LlmOpsScope("acme")));
        Assert.Equal(record.Cost, status.Spent);
        Assert.Equal(0m, status.Reserved);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_ProviderFaults_RecordsEstimatedInputAndRethrows(bool streaming)
    {
        var ledger = new InMemoryCostLedger();
        var inner = new MeteringTestClient { Fault = new InvalidOperationException("boom"), FaultAfterChunks = 0 };
        var client = Create(inner, ledger);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Run(client, streaming));

        var record = Assert.Single(await ledger.QueryAsync(CostLedgerQuery.All));
        Assert.False(record.IsComplete);
        Assert.True(record.IsEstimated);
        Assert.True(record.InputTokens > 0);
        Assert.Equal(0, record.OutputTokens);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_OverBudget_ThrowsBeforeProviderCall(bool streaming)
    {
        var inner = new MeteringTestClient();
        var ledger = new InMemoryCostLedger();
        // Worst case: ~10 input tokens * 2.50 + 1000 max output (model maximum) * 10.00 per 1M > 0.005 USD.
        var budgets = new BudgetManager([new Budget(new LlmOpsScope("acme"), 0.005m)], telemetry: new LlmOpsTelemetry());
        var client = Create(inner, ledger, budgets);

        var ex = await Assert.ThrowsAsync<BudgetExceededException>(() => Run(client, streaming, new ChatOptions().WithScope("acme")));

        Assert.Equal(0, inner.Calls);
        Assert.Equal(0, ledger.Count);
        Assert.Equal(0.005m, ex.Limit);

        // A smaller MaxOutputTokens fits, and the reservation settles to the actual cost.
        var response = await Run(client, streaming, new ChatOptions { MaxOutputTokens = 100 }.WithScope("acme"));
        Assert.Equal(1, inner.Calls);
        Assert.Equal(response.GetCost()!.Cost, Assert.Single(budgets.GetStatus(new LlmOpsScope("acme"))).Spent);
    }

    [Fact]
    public async Task GetResponseAsync_SameRequestTwice_RecordsTwoAttempts()
    {
        var ledger = new InMemoryCostLedger();
        var client = Create(new MeteringTestClient(), ledger);
        var info = new LlmOpsInfo("req-1");
        var options = new ChatOptions { AdditionalProperties = new() { ["llmops.info"] = info } };

        await client.GetResponseAsync(Messages, options);
        await client.GetResponseAsync(Messages, options);

        var records = await ledger.QueryAsync(CostLedgerQuery.All);
        Assert.Equal([1, 2], records.Select(r => r.Attempt).Order());
        Assert.All(records, r => Assert.Equal("req-1", r.RequestId));
        Assert.Equal(2, info.GetCost()!.Attempt);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_AttemptsOnSeveralModels_ModelTierTagIsTheLastPricedAttemptsTier(bool streaming)
    {
        var inner = new MeteringTestClient();
        var client = Create(inner);
        var info = new LlmOpsInfo("req-1");
        ChatOptions Attempt(string model)
        {
            inner.ModelId = model;
            return new ChatOptions { ModelId = model, AdditionalProperties = new() { ["llmops.info"] = info } };
        }

        await Run(client, streaming, Attempt("local-gpu"));
        Assert.Equal("Medium", info.Tags[MeteringTelemetryNames.ModelTierAttribute]);

        await Run(client, streaming, Attempt("gpt-4o"));
        Assert.Equal("Large", info.Tags[MeteringTelemetryNames.ModelTierAttribute]);

        // A model outside the catalog has no tier: the tag keeps the last tier priced, as the record says nothing new.
        await Run(client, streaming, Attempt("unlisted-model"));
        Assert.True(info.GetCost()!.Tier.IsEmpty);
        Assert.Equal(3, info.GetCost()!.Attempt);
        Assert.Equal("Large", info.Tags[MeteringTelemetryNames.ModelTierAttribute]);
        Assert.Single(info.Tags);
    }

    [Fact]
    public async Task GetResponseAsync_GpuPricedModel_ChargesMeasuredWallTime()
    {
        var time = new FakeTimeProvider();
        var inner = new DelegatingTestClient(new MeteringTestClient { ModelId = "local-gpu" }, () => time.Advance(TimeSpan.FromSeconds(3)));
        var client = Create(inner, time: time);

        var cost = (await client.GetResponseAsync(Messages, new ChatOptions { ModelId = "local-gpu" })).GetCost()!;

        Assert.Equal(TimeSpan.FromSeconds(3), cost.GpuTime);
        Assert.Equal(0.03m, cost.Cost);
    }

    [Theory]
    [InlineData(false, false, true)]  // cut: no finish reason, no usage -> estimated and incomplete
    [InlineData(false, true, false)]  // no finish reason, but the provider reported usage -> complete
    [InlineData(true, false, false)]  // finish reason, no usage -> complete (tokens estimated)
    public async Task GetStreamingResponseAsync_EndsWithoutFinishReason_RecordedEstimatedAndTaggedIncompleteUnlessUsageReported(
        bool finishReason, bool usage, bool cut)
    {
        using var telemetry = new LlmOpsTelemetry();
        var tags = new List<KeyValuePair<string, object?>>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter == telemetry.Meter && i.Name == MeteringTelemetryNames.Cost) l.EnableMeasurementEvents(i);
        };
        listener.SetMeasurementEventCallback<double>((_, _, t, _) => tags.AddRange(t.ToArray()));
        listener.Start();
        var ledger = new InMemoryCostLedger();
        var inner = new MeteringTestClient { EmitFinishReason = finishReason, Usage = usage ? new UsageDetails { InputTokenCount = 100, OutputTokenCount = 20 } : null };

        await Create(inner, ledger, telemetry: telemetry).GetStreamingResponseAsync(Messages).ToChatResponseAsync();

        var record = Assert.Single(await ledger.QueryAsync(CostLedgerQuery.All));
        Assert.Equal(!cut, record.IsComplete);
        Assert.Equal(cut || !usage, record.IsEstimated);
        Assert.Contains(new KeyValuePair<string, object?>(MeteringTelemetryNames.CostIncompleteAttribute, cut), tags);
    }

    [Fact]
    public async Task GetResponseAsync_RecordsCostHistogramInUsd()
    {
        using var telemetry = new LlmOpsTelemetry();
        var measurements = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter == telemetry.Meter && i.Name == "llmops.client.cost")
            {
                Assert.Equal("USD", i.Unit);
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => measurements.Add(value));
        listener.Start();

        await Create(new MeteringTestClient(), telemetry: telemetry).GetResponseAsync(Messages);

        Assert.Equal([(double)ReportedCost], measurements);
    }

    [Fact]
    public async Task GetResponseAsync_CallerOptions_NotMutatedAndTokenForwarded()
    {
        var inner = new MeteringTestClient();
        var options = new ChatOptions { ModelId = "gpt-4o", AdditionalProperties = new() { ["x"] = 1 } };
        using var cts = new CancellationTokenSource();

        await Create(inner).GetResponseAsync(Messages, options, cts.Token);

        Assert.Single(options.AdditionalProperties);
        Assert.NotSame(options, inner.LastOptions);
        Assert.Equal(cts.Token, inner.LastToken);
    }

    [Fact]
    public async Task Arguments_Null_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => new CostMeteringChatClient(null!));
        var client = Create(new MeteringTestClient());
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.GetResponseAsync(null!));
        Assert.Throws<ArgumentNullException>(() => client.GetStreamingResponseAsync(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CostMeteringChatClient(new MeteringTestClient(), defaultMaxOutputTokens: 0));
    }

    [Fact]
    public void GetService_ReturnsCollaborators()
    {
        var ledger = new InMemoryCostLedger();
        var budgets = new BudgetManager([new Budget(default, 1m)], telemetry: new LlmOpsTelemetry());
        var client = Create(new MeteringTestClient(), ledger, budgets);

        Assert.Same(ledger, client.GetService<ICostLedger>());
        Assert.Same(budgets, client.GetService<BudgetManager>());
        Assert.Same(Catalog, client.GetService<ModelCatalog>());
        Assert.NotNull(client.GetService<CostCalculator>());
        Assert.Same(client, client.GetService<CostMeteringChatClient>());
    }

    [Fact]
    public async Task UseLlmOps_WithCostMetering_MetersAndSharesLedger()
    {
        var services = new ServiceCollection();
        services.AddLlmOps().AddCostMetering(o => o.Models.Add(new ModelDefinition("gpt-4o", ModelTier.Large, new ModelPrice(2.50m, 10.00m))));
        await using var provider = services.BuildServiceProvider();

        var client = new ChatClientBuilder(new MeteringTestClient()).UseLlmOps().Build(provider);
        var response = await client.GetResponseAsync(Messages);

        Assert.Equal(ReportedCost, response.GetCost()!.Cost);
        Assert.Equal(1, (await provider.GetRequiredService<ICostLedger>().GetTotalsAsync(CostLedgerQuery.All)).Attempts);
        Assert.NotNull(client.GetService<CostMeteringChatClient>());
        Assert.Same(provider.GetRequiredService<CostCalculator>(), client.GetService<CostCalculator>());
    }

    [Fact]
    public void UseLlmOps_WithoutCostMetering_SkipsStage()
    {
        var services = new ServiceCollection();
        services.AddLlmOps();
        using var provider = services.BuildServiceProvider();

        var client = new ChatClientBuilder(new MeteringTestClient()).UseLlmOps().Build(provider);

        Assert.Null(client.GetService<CostMeteringChatClient>());
    }

    private sealed class DelegatingTestClient(IChatClient inner, Action during) : DelegatingChatClient(inner)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            during();
            return base.GetResponseAsync(messages, options, cancellationToken);
        }
    }
}
