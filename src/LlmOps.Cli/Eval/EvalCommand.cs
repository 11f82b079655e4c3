using System.CommandLine;

namespace LlmOps.Cli.Eval;

/// <summary><c>llmops eval</c>: score, run and compare evaluations.</summary>
internal static class EvalCommand
{
    public static Command Create(CliContext context)
    {
        var eval = new Command("eval", "Evaluation: score predictions against references, run a dataset against a target with gates, compare two runs.");
        eval.Add(EvalScoreCommand.Create(context.In));
        eval.Add(EvalRunCommand.Create(context));
        eval.Add(EvalCompareCommand.Create(context));
        return eval;
    }
}
