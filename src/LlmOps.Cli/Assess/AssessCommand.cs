using System.CommandLine;
using LlmOps.Maturity;
using LlmOps.Metering;
using Spectre.Console;

namespace LlmOps.Cli.Assess;

/// <summary><c>llmops assess CONFIG.json</c>: the maturity report (Ad-hoc, Managed, Automated, Optimized) for a pipeline configuration.</summary>
internal static class AssessCommand
{
    public static Command Create(CliContext context)
    {
        var config = new Argument<string>("CONFIG") { Description = "An appsettings.json-style file with an \"LlmOps\" object: one section per stage (Telemetry, Prompts, CostMetering, Guardrails, SemanticCache, ModelRouting, Grounding, Evaluation); see the README." };
        var ledger = new Option<string?>("--ledger") { Description = "A JSON-lines cost ledger: attempts priced in two or more model tiers count as measured savings." };
        var json = new Option<bool>("--json") { Description = "Write JSON for scripts instead of a checklist." };
        var command = new Command("assess", "Place a pipeline configuration on the LLMOps maturity stages (Ad-hoc, Managed, Automated, Optimized) with the checklist of what is present and what the next stage needs.") { config, ledger, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string path = parse.GetValue(config)!;
            string text = await context.ReadInputAsync(path, "configuration file", cancellationToken).ConfigureAwait(false);
            IReadOnlyList<CostRecord>? records = parse.GetValue(ledger) is { Length: > 0 } l
                ? PipelineConfigEvidence.ReadLedger(l, await context.ReadInputAsync(l, "ledger", cancellationToken).ConfigureAwait(false))
                : null;
            MaturityReport report = LlmOpsMaturity.Assess(PipelineConfigEvidence.Read(path, text, records));
            if (parse.GetValue(json))
            {
                await CliJson.WriteAsync(context, new
                {
                    stage = MaturityReport.Name(report.Stage),
                    next = report.NextStage is { } n ? MaturityReport.Name(n) : null,
                    checks = report.Checks.Select(c => new { c.Id, stage = MaturityReport.Name(c.Stage), c.Title, c.Present, c.HowTo }),
                    missing = report.MissingForNextStage.Select(c => c.Id),
                }).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            Write(context, report);
            return ExitCodes.Success;
        });
        return command;
    }

    public static void Write(CliContext context, MaturityReport report)
    {
        context.Console.MarkupLine($"Maturity: [bold]{MaturityReport.Name(report.Stage)}[/]");
        var table = new Table().AddColumns("Stage", "", "Item");
        foreach (MaturityCheck check in report.Checks)
        {
            table.AddRow(MaturityReport.Name(check.Stage), check.Present ? "[green]present[/]" : "[red]missing[/]", Markup.Escape(check.Title));
        }

        context.Console.Write(table);
        if (report.NextStage is { } next)
        {
            context.Console.MarkupLine($"To reach [bold]{MaturityReport.Name(next)}[/], add:");
            foreach (MaturityCheck missing in report.MissingForNextStage)
            {
                context.Console.MarkupLine($"  - {Markup.Escape(missing.HowTo)}");
            }
        }
    }
}
