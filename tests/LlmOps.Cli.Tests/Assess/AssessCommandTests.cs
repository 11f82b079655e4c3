using System.Text.Json;
using LlmOps.Cli.Cost;
using LlmOps.Metering;

namespace LlmOps.Cli.Tests.Assess;

public sealed class AssessCommandTests : TempFolderTest
{
    private const string ManagedConfig = """
        {
          // appsettings.json style: comments and trailing commas are fine
          "Logging": { "LogLevel": { "Default": "Information" } },
          "LlmOps": {
            "Telemetry": { "Enabled": true },
            "Prompts": { "FilesDirectory": "prompts" },
            "CostMetering": { },
            "Guardrails": { },
          }
        }
        """;

    [Fact]
    public async Task Assess_ManagedConfig_SaysManagedAndWhatAutomatedNeeds()
    {
        CliResult result = await CliRunner.RunAsync("assess", Write("appsettings.json", ManagedConfig));
        CliResult json = await CliRunner.RunAsync("assess", Write("appsettings.json", ManagedConfig), "--json");

        Assert.Equal(0, result.Code);
        Assert.Contains("Maturity: Managed", result.Out, StringComparison.Ordinal);
        Assert.Contains("To reach Automated, add:", result.Out, StringComparison.Ordinal);
        Assert.Contains("llmops eval run --baseline", result.Out, StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(json.Out);
        Assert.Equal("Managed", doc.RootElement.GetProperty("stage").GetString());
        Assert.Equal(["evaluation-baseline", "experiments", "caching", "budgets", "fallback-routing"], doc.RootElement.GetProperty("missing").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Assess_EverythingWithBaselineFileAndTwoTierLedger_IsOptimized()
    {
        Write("eval/baseline/results.json", "{\"items\": []}");
        string config = Write("appsettings.json", """
            { "LlmOps": {
                "Telemetry": { },
                "Prompts": { "Store": "postgresql", "Experiments": [ "support-answer" ] },
                "CostMetering": { "Budgets": [ { "Scope": "tenant:acme", "Limit": 100 } ], "Ledger": "postgresql" },
                "Guardrails": { },
                "SemanticCache": { "SimilarityThreshold": 0.86, "CalibratedWith": "cache-pairs.tsv", "Store": "redis" },
                "ModelRouting": { "Deployments": [ "small", "large" ], "Cascade": { "Enabled": true } },
                "Grounding": { },
                "Evaluation": { "Baseline": "eval/baseline/results.json" } } }
            """);
        string ledger = Write("ledger.jsonl", CostLedgerFile.Write(
        [
            new CostRecord { RequestId = "a", Timestamp = DateTimeOffset.UnixEpoch, Model = "small", Tier = ModelTier.Small, Cost = 0.001m },
            new CostRecord { RequestId = "b", Timestamp = DateTimeOffset.UnixEpoch, Model = "large", Tier = ModelTier.Large, Cost = 0.02m },
        ]));

        CliResult withLedger = await CliRunner.RunAsync("assess", config, "--ledger", ledger, "--json");
        CliResult withoutLedger = await CliRunner.RunAsync("assess", config, "--json");

        using JsonDocument a = JsonDocument.Parse(withLedger.Out);
        Assert.Equal("Optimized", a.RootElement.GetProperty("stage").GetString());
        using JsonDocument b = JsonDocument.Parse(withoutLedger.Out);
        Assert.Equal("Automated", b.RootElement.GetProperty("stage").GetString());
        Assert.Equal(["measured-savings"], b.RootElement.GetProperty("missing").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Assess_BaselineFileMissing_DoesNotCount()
    {
        string config = Write("appsettings.json", """{ "LlmOps": { "Evaluation": { "Baseline": "nowhere.json" } } }""");

        CliResult result = await CliRunner.RunAsync("assess", config, "--json");

        using JsonDocument doc = JsonDocument.Parse(result.Out);
        Assert.False(doc.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "evaluation-baseline").GetProperty("present").GetBoolean());
        Assert.Equal("Ad-hoc", doc.RootElement.GetProperty("stage").GetString());
    }

    [Fact]
    public async Task Assess_NotJson_ExitsThree()
    {
        CliResult result = await CliRunner.RunAsync("assess", Write("bad.json", "LlmOps: yes"));

        Assert.Equal(3, result.Code);
        Assert.Contains("not valid JSON", result.Err, StringComparison.Ordinal);
    }
}
