using LlmOps.Cli.Cost;
using LlmOps.Cli.Tests.Cost;

namespace LlmOps.Cli.Tests.Browser;

public sealed class CostReportBrowserTests : TempFolderTest
{
    [Fact]
    public async Task CostReport_InChromium_DrawsEveryMarkWithoutConsoleErrors()
    {
        string html = Path.Combine(Folder, "cost.html");
        CliResult result = await CliRunner.RunAsync("cost", "report", "--ledger", SampleLedger.Write(Folder), "--by", "tenant", "--html", html);
        Assert.Equal(0, result.Code);

        await using HeadlessChromium browser = await HeadlessChromium.OpenAsync(html);

        Assert.Equal(4, await browser.CountAsync("svg[data-chart]"));
        Assert.Equal(5, await browser.CountAsync("svg[data-chart=cost-over-time] circle.point"));
        Assert.Equal(1, await browser.CountAsync("svg[data-chart=cost-over-time] polyline.line"));
        Assert.Equal(3, await browser.CountAsync("svg[data-chart=cost-by-model] rect.bar"));
        Assert.Equal(3, await browser.CountAsync("svg[data-chart=cost-by-tenant] rect.bar"));
        Assert.Equal(CostHtmlReport.RequestBins, await browser.CountAsync("svg[data-chart=cost-per-request] rect.bar"));
        double[] size = await browser.SizeAsync("svg[data-chart=cost-by-model]");
        Assert.True(size[0] > 100 && size[1] > 50, $"the chart renders at {size[0]}x{size[1]}");
        string png = await browser.ScreenshotAsync("cost-report.png");
        Assert.True(new FileInfo(png).Length > 10_000);
        Assert.Empty(browser.Errors);
    }
}
