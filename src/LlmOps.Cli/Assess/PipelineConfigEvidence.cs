using System.Text.Json;
using LlmOps.Cli.Cost;
using LlmOps.Maturity;
using LlmOps.Metering;

namespace LlmOps.Cli.Assess;

/// <summary>
/// Reads the maturity evidence from an <c>appsettings.json</c>-style file that describes the pipeline: an
/// <c>LlmOps</c> object (or the root) with one section per stage. Keys are case-insensitive.
/// </summary>
/// <remarks>
/// <code>
/// { "LlmOps": {
///     "Telemetry": { "Enabled": true },
///     "Prompts": { "FilesDirectory": "prompts", "Store": "postgresql", "Experiments": [ "support-answer" ] },
///     "CostMetering": { "Budgets": [ { "Scope": "tenant:acme", "Limit": 100 } ], "Ledger": "postgresql" },
///     "Guardrails": { },
///     "SemanticCache": { "SimilarityThreshold": 0.86, "CalibratedWith": "cache-pairs.tsv", "Store": "redis" },
///     "ModelRouting": { "Deployments": [ "small", "large" ], "Policy": "complexity", "Cascade": { "Enabled": true } },
///     "Grounding": { },
///     "Evaluation": { "Baseline": "eval/baseline/results.json" } } }
/// </code>
/// A section that is present turns its stage on (Telemetry unless <c>"Enabled": false</c>). Stores count as shared
/// when they are <c>redis</c> or <c>postgresql</c>. The evaluation baseline counts when its file exists (relative to the
/// configuration file). Measured savings need a ledger (<c>--ledger</c>) with attempts in two or more tiers.
/// </remarks>
internal static class PipelineConfigEvidence
{
    private static readonly string[] SharedEngines = ["redis", "postgresql", "postgres"];

    public static MaturityEvidence Read(string path, string text, IReadOnlyList<CostRecord>? ledger)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new CliException(ExitCodes.InputError, $"{path} is not valid JSON ({e.Message}). It should be an appsettings-style file with an \"LlmOps\" object.");
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new CliException(ExitCodes.InputError, $"{path} must hold a JSON object with an \"LlmOps\" section (see 'llmops assess --help').");
            }

            JsonElement llmops = Section(root, "LlmOps") ?? root;
            JsonElement? prompts = Section(llmops, "Prompts") ?? Section(llmops, "PromptRegistry");
            JsonElement? metering = Section(llmops, "CostMetering");
            JsonElement? telemetry = Section(llmops, "Telemetry");
            JsonElement? cache = Section(llmops, "SemanticCache");
            JsonElement? routing = Section(llmops, "ModelRouting") ?? Section(llmops, "Routing");
            JsonElement? evaluation = Section(llmops, "Evaluation");
            string? baseline = String(evaluation, "Baseline");
            string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
            return new MaturityEvidence
            {
                PromptRegistry = prompts is not null,
                CostMetering = metering is not null,
                Telemetry = telemetry is not null && Bool(telemetry, "Enabled") != false,
                Guardrails = Section(llmops, "Guardrails") is not null,
                EvaluationBaseline = baseline is not null && File.Exists(Path.Combine(folder, baseline)),
                Experiments = Count(prompts, "Experiments") > 0,
                Caching = cache is not null,
                Budgets = Count(metering, "Budgets") > 0,
                FallbackRouting = Count(routing, "Deployments") >= 2,
                TierRouting = String(routing, "Policy") is not null || Bool(Section(routing, "Cascade"), "Enabled") == true,
                MeasuredSavings = ledger is not null && ledger.Where(r => !r.Tier.IsEmpty).Select(r => r.Tier).Distinct().Count() >= 2,
                CalibratedSemanticCache = cache is not null && Bool(cache, "EnableSemanticTier") != false && (String(cache, "CalibratedWith") is not null || Bool(cache, "Calibrated") == true),
                HallucinationTracking = Section(llmops, "Grounding") is not null,
                SharedStores = Shared(prompts) && Shared(metering, "Ledger") && (cache is null || Shared(cache)),
            };
        }
    }

    public static IReadOnlyList<CostRecord> ReadLedger(string path, string text) => CostLedgerFile.Parse(text, path);

    private static bool Shared(JsonElement? section, string key = "Store") =>
        String(section, key) is { } engine && SharedEngines.Contains(engine.ToLowerInvariant());

    private static JsonElement? Section(JsonElement? parent, string name)
    {
        if (parent is not { ValueKind: JsonValueKind.Object } p)
        {
            return null;
        }

        foreach (JsonProperty property in p.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static string? String(JsonElement? parent, string name) =>
        Section(parent, name) is { ValueKind: JsonValueKind.String } v && v.GetString() is { Length: > 0 } s ? s : null;

    private static bool? Bool(JsonElement? parent, string name) => Section(parent, name) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => null,
    };

    private static int Count(JsonElement? parent, string name) =>
        Section(parent, name) is { ValueKind: JsonValueKind.Array } a ? a.GetArrayLength() : 0;
}
