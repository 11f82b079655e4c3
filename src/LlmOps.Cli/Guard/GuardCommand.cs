using System.CommandLine;
using System.Globalization;
using LlmOps.Guardrails;
using LlmOps.Guardrails.Scanners;
using Microsoft.Extensions.AI;
using Spectre.Console;

namespace LlmOps.Cli.Guard;

/// <summary><c>llmops guard scan</c>: the default guardrail chain on a text, with every finding explained.</summary>
internal static class GuardCommand
{
    public static Command Create(CliContext context)
    {
        var guard = new Command("guard", "Guardrails from the terminal.");
        guard.Add(Scan(context));
        return guard;
    }

    private static Command Scan(CliContext context)
    {
        var file = new Argument<string>("FILE")
        {
            Description = "The text to scan (UTF-8), or '-' for standard input (the default).",
            DefaultValueFactory = _ => "-",
        };
        var stage = new Option<string>("--stage")
        {
            Description = "Scan as a user input (input: size, invisible text, prompt injection, PII, secrets) or as a model answer (output: PII, secrets, JSON, system-prompt leak).",
            DefaultValueFactory = _ => "input",
        };
        stage.AcceptOnlyFromAmong("input", "output");
        var json = new Option<bool>("--json") { Description = "Write JSON for scripts instead of a table." };
        var command = new Command("scan", "Run the default guardrail chain on a text and explain each finding (scanner, span, score, action). Exits 4 when the text would be blocked.") { file, stage, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string path = parse.GetValue(file)!;
            string text = await context.ReadInputAsync(path, "text file", cancellationToken).ConfigureAwait(false);
            GuardrailStage where = parse.GetValue(stage) == "output" ? GuardrailStage.Output : GuardrailStage.Input;
            ChatMessage message = new(where == GuardrailStage.Input ? ChatRole.User : ChatRole.Assistant, text);
            var scanContext = new GuardrailContext(where, [message]);
            var rows = new List<ScanFinding>();
            var failures = new List<string>();
            GuardrailAction decision = GuardrailAction.Allow;
            string? redacted = null;
            string current = text;
            foreach (IGuardrail scanner in DefaultGuardrails.Create())
            {
                if ((scanner.Stages & where) == 0)
                {
                    continue;
                }

                GuardrailResult result;
                try
                {
                    result = await scanner.ScanAsync(current, scanContext, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    failures.Add($"{scanner.Name} failed ({scanner.FailureMode}): {e.Message}");
                    if (scanner.FailureMode == GuardrailFailureMode.FailClosed)
                    {
                        decision = GuardrailAction.Block;
                    }

                    continue;
                }

                foreach (GuardrailFinding f in result.Findings)
                {
                    (int line, int column) = Position(current, f.Start);
                    rows.Add(new ScanFinding(scanner.Name, f.Type, f.Start, f.Length, line, column, f.Score, result.Action, f.Reason, f.Replacement));
                }

                decision = (GuardrailAction)Math.Max((int)decision, (int)result.Action);
                if (result.Action == GuardrailAction.Redact && result.RedactedText is { } r)
                {
                    // The chain passes the redacted text on, as the pipeline does: later spans refer to it.
                    current = r;
                    redacted = r;
                }
            }

            int exit = decision == GuardrailAction.Block ? ExitCodes.CheckFailed : ExitCodes.Success;
            if (parse.GetValue(json))
            {
                await CliJson.WriteAsync(context, new { stage = where.ToString().ToLowerInvariant(), decision, findings = rows, redacted, failures }).ConfigureAwait(false);
                return exit;
            }

            if (rows.Count > 0)
            {
                var table = new Table().AddColumns("Scanner", "Finding", "Span", "Line:col", "Score", "Action", "Why");
                foreach (ScanFinding f in rows)
                {
                    table.AddRow(
                        Markup.Escape(f.Scanner),
                        Markup.Escape(f.Type),
                        $"{f.Start}..{f.Start + f.Length}",
                        $"{f.Line}:{f.Column}",
                        f.Score.ToString("0.00", CultureInfo.InvariantCulture),
                        Colour(f.Action),
                        Markup.Escape(f.Reason));
                }

                context.Console.Write(table);
            }

            foreach (string failure in failures)
            {
                context.Console.MarkupLine($"[yellow]{Markup.Escape(failure)}[/]");
            }

            context.Console.MarkupLine($"Decision: {Colour(decision)} ({rows.Count} findings on {where.ToString().ToLowerInvariant()}).");
            if (redacted is not null)
            {
                context.Console.MarkupLine("Redacted text:");
                await context.Out.WriteLineAsync(redacted).ConfigureAwait(false);
            }

            return exit;
        });
        return command;
    }

    private static string Colour(GuardrailAction action) => action switch
    {
        GuardrailAction.Block => "[red]block[/]",
        GuardrailAction.Redact => "[yellow]redact[/]",
        GuardrailAction.Flag => "[yellow]flag[/]",
        _ => "[green]allow[/]",
    };

    private static (int Line, int Column) Position(string text, int offset)
    {
        int line = 1, column = 1;
        for (int i = 0; i < offset && i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return (line, column);
    }

    /// <summary>One finding as the command reports it.</summary>
    internal sealed record ScanFinding(string Scanner, string Type, int Start, int Length, int Line, int Column, double Score, GuardrailAction Action, string Reason, string? Replacement);
}
