using System.Text.RegularExpressions;
using LlmOps.Evaluation.Reports;
using LlmOps.Evaluation.Runs;

namespace LlmOps.Evaluation.Tests.Reports;

public class EvaluationHtmlReportTests
{
    private static EvaluationRunResult Run(params (string Id, double Score, string Response)[] items) =>
        new([.. items.Select(i => new EvaluationItemResult(i.Id, i.Response, new Dictionary<string, double?> { ["ROUGE-L"] = i.Score }, [], 12.5, 10, 5))], 0);

    [Fact]
    public void Render_IsSelfContainedWithOneBarPerBinAndEncodedText()
    {
        EvaluationRunResult run = Run(("a", 0.9, "fine"), ("b", 0.1, "<script>alert(1)</script>"), ("c", 0.5, "ok"));

        string html = EvaluationHtmlReport.Render(run, "Prompt v2");

        Assert.Equal(10, Regex.Matches(html, "<rect class=\"bar\"").Count);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        int worst = html.IndexOf("<td>b</td>", StringComparison.Ordinal);
        int best = html.IndexOf("<td>a</td>", StringComparison.Ordinal);
        Assert.True(worst > 0 && worst < best, "the worst item comes first");
    }

    [Fact]
    public void Render_EveryValueEqual_PutsAllItemsInOneBarAndLabelsTheAxisWithThatValue()
    {
        EvaluationRunResult run = Run(("a", 1.0, "x"), ("b", 1.0, "y"), ("c", 1.0, "z"));

        string html = EvaluationHtmlReport.Render(run, "all equal");

        string[] heights = [.. Regex.Matches(html, "<rect class=\"bar\"[^>]* height=\"([0-9.]+)\"").Select(m => m.Groups[1].Value)];
        Assert.Equal(10, heights.Length);
        Assert.Single(heights, h => h != "0");
        Assert.Contains(">all 1</text>", html, StringComparison.Ordinal);
        Assert.DoesNotContain(">2</text>", html, StringComparison.Ordinal); // no made-up axis end (1 + 1)
    }

    [Fact]
    public void Render_WithBaseline_ShowsTheComparison()
    {
        EvaluationRunResult a = Run([.. Enumerable.Range(1, 30).Select(i => ($"q{i}", 0.4, "a"))]);
        EvaluationRunResult b = Run([.. Enumerable.Range(1, 30).Select(i => ($"q{i}", 0.6, "b"))]);

        string html = EvaluationHtmlReport.Render(b, "B vs A", a);

        Assert.Contains("Comparison with the baseline", html, StringComparison.Ordinal);
        Assert.Contains("+0.2 [0.2, 0.2]", html, StringComparison.Ordinal);
        Assert.Contains("better", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SummaryShowsTheMeteredCost()
    {
        EvaluationRunResult run = new(
        [
            new EvaluationItemResult("a", "x", new Dictionary<string, double?>(), [], 10, 1000, 500) { Cost = 0.0075m },
            new EvaluationItemResult("b", "y", new Dictionary<string, double?>(), [], 10, 1000, 500) { Cost = 0.0025m },
            new EvaluationItemResult("c", null, new Dictionary<string, double?>(), ["target: down"], 10, null, null),
        ], 0);

        string html = EvaluationHtmlReport.Render(run, "Costs");

        Assert.Contains("cost 0.01 (2 of 3 items metered)", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SummarySaysWhenNothingWasMetered() =>
        Assert.Contains("cost not metered", EvaluationHtmlReport.Render(Run(("a", 0.5, "x")), "No costs"), StringComparison.Ordinal);
}
