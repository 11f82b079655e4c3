using System.Globalization;
using System.Text.RegularExpressions;
using LlmOps.Cli.Reports;

namespace LlmOps.Cli.Tests.Reports;

public sealed class SvgChartsTests
{
    private static string Money(double v) => "$" + v.ToString("0.####", CultureInfo.InvariantCulture);

    [Fact]
    public void Histogram_EveryValueEqual_OneBarAndTheAxisNamesThatValue()
    {
        string svg = SvgCharts.Histogram("h", "cost", [0.01, 0.01, 0.01], 12, Money);

        string[] heights = [.. Regex.Matches(svg, "<rect class=\"bar\"[^>]* height=\"([0-9.]+)\"").Select(m => m.Groups[1].Value)];
        Assert.Equal(12, heights.Length);
        Assert.Single(heights, h => h != "0");
        Assert.Contains(">all $0.01</text>", svg, StringComparison.Ordinal);
        Assert.Contains("<title>$0.01: 3</title>", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("$0.02", svg, StringComparison.Ordinal); // no made-up axis end (min + |min|)
    }

    [Fact]
    public void Histogram_SpreadValues_LabelsBothEndsAndCountsEveryValue()
    {
        string svg = SvgCharts.Histogram("h", "cost", [1, 2, 2.5, 5], 4, Money);

        int[] counts = [.. Regex.Matches(svg, "<title>[^<]*: ([0-9]+)</title>").Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];
        Assert.Equal([1, 2, 0, 1], counts);
        Assert.Contains(">$1</text>", svg, StringComparison.Ordinal);
        Assert.Contains(">$5</text>", svg, StringComparison.Ordinal);
    }
}
