using LlmOps.Cli.Tests.Eval;

namespace LlmOps.Cli.Tests.Browser;

public sealed class EvaluationReportBrowserTests : TempFolderTest
{
    [Fact]
    public async Task EvaluationReport_InChromium_DrawsTenBarsPerMetricAndTheComparison()
    {
        string dataset = EvalFixture.Dataset(Folder);
        string a = Path.Combine(Folder, "v1");
        string b = Path.Combine(Folder, "v2");
        Assert.Equal(0, (await CliRunner.RunAsync("eval", "run", dataset, "--target", "responses:" + EvalFixture.Brief(Folder), "--metrics", "bleu,chrf,rougeL,token_f1", "--out", a)).Code);
        Assert.Equal(0, (await CliRunner.RunAsync("eval", "run", dataset, "--target", "responses:" + EvalFixture.Mixed(Folder), "--metrics", "bleu,chrf,rougeL,token_f1", "--out", b, "--baseline", a)).Code);

        await using HeadlessChromium browser = await HeadlessChromium.OpenAsync(Path.Combine(b, "report.html"));

        // ROUGE (4 variants), BLEU, chrF, and SQuAD's exact match and token F1: 8 metrics, 10 bins each.
        Assert.Equal(8, await browser.CountAsync("svg.histogram"));
        Assert.Equal(80, await browser.CountAsync("svg.histogram rect.bar"));
        Assert.Equal(10, await browser.CountAsync("svg.histogram[data-metric='ROUGE-L'] rect.bar"));
        Assert.Equal(EvalFixture.Count, await browser.CountAsync("h2 ~ table:last-of-type tr") - 1); // one row per item
        double[] size = await browser.SizeAsync("svg.histogram[data-metric='BLEU']");
        Assert.True(size[0] > 100 && size[1] > 50, $"the chart renders at {size[0]}x{size[1]}");
        Assert.True(await browser.CountAsync("span.good") >= 1); // the comparison says v2 is better somewhere
        string png = await browser.ScreenshotAsync("evaluation-report.png");
        Assert.True(new FileInfo(png).Length > 10_000);
        Assert.Empty(browser.Errors);
    }
}
