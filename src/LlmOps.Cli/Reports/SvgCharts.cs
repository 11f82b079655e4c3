using System.Globalization;
using System.Net;
using System.Text;

namespace LlmOps.Cli.Reports;

/// <summary>
/// Inline SVG charts for the self-contained HTML reports (no script, no network). Every mark carries a class the browser
/// tests count: <c>rect.bar</c> for bars and <c>circle.point</c> for the points of a line; each has a
/// <c>&lt;title&gt;</c> tooltip with its label and value.
/// </summary>
internal static class SvgCharts
{
    private const int Width = 560;
    private const int Height = 220;
    private const int Left = 64;
    private const int Bottom = 34;
    private const int Top = 12;

    /// <summary>A line with one point per value (for example cost per day).</summary>
    public static string Line(string id, string caption, IReadOnlyList<string> labels, IReadOnlyList<double> values, Func<double, string> format)
    {
        var svg = Open(id, caption, Width, Height);
        double max = Max(values);
        double plotWidth = Width - Left - 16;
        double plotHeight = Height - Top - Bottom;
        Axis(svg, max, format, plotHeight);
        var points = new StringBuilder();
        for (int i = 0; i < values.Count; i++)
        {
            double x = Left + (values.Count == 1 ? plotWidth / 2 : i * plotWidth / (values.Count - 1));
            double y = Top + plotHeight - (values[i] / max * plotHeight);
            points.Append(CultureInfo.InvariantCulture, $"{x:0.#},{y:0.#} ");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"line\" fill=\"none\" stroke=\"#3b6ea8\" stroke-width=\"2\" points=\"{points.ToString().TrimEnd()}\"/>");
        for (int i = 0; i < values.Count; i++)
        {
            double x = Left + (values.Count == 1 ? plotWidth / 2 : i * plotWidth / (values.Count - 1));
            double y = Top + plotHeight - (values[i] / max * plotHeight);
            svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"point\" cx=\"{x:0.#}\" cy=\"{y:0.#}\" r=\"4\" fill=\"#3b6ea8\"><title>{E(labels[i])}: {E(format(values[i]))}</title></circle>");
        }

        if (labels.Count > 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{Height - 12}\" font-size=\"11\">{E(labels[0])}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - 16}\" y=\"{Height - 12}\" font-size=\"11\" text-anchor=\"end\">{E(labels[^1])}</text>");
        }

        return Close(svg, caption);
    }

    /// <summary>Horizontal bars, one per label, longest first as given.</summary>
    public static string HorizontalBars(string id, string caption, IReadOnlyList<string> labels, IReadOnlyList<double> values, Func<double, string> format)
    {
        const int Row = 26;
        const int LabelWidth = 150;
        int height = Math.Max(1, values.Count) * Row + 8;
        var svg = Open(id, caption, Width, height);
        double max = Max(values);
        double plotWidth = Width - LabelWidth - 90;
        for (int i = 0; i < values.Count; i++)
        {
            double w = values[i] / max * plotWidth;
            double y = 4 + (i * Row);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth - 6}\" y=\"{y + 16:0.#}\" font-size=\"12\" text-anchor=\"end\">{E(Shorten(labels[i]))}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar\" x=\"{LabelWidth}\" y=\"{y + 2:0.#}\" width=\"{Math.Max(w, 1):0.##}\" height=\"{Row - 6}\" fill=\"#3b6ea8\"><title>{E(labels[i])}: {E(format(values[i]))}</title></rect>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth + Math.Max(w, 1) + 6:0.#}\" y=\"{y + 16:0.#}\" font-size=\"11\">{E(format(values[i]))}</text>");
        }

        return Close(svg, caption);
    }

    /// <summary>A histogram of <paramref name="values"/> in <paramref name="bins"/> equal-width bins (one bar per bin).</summary>
    public static string Histogram(string id, string caption, IReadOnlyList<double> values, int bins, Func<double, string> format)
    {
        var svg = Open(id, caption, Width, Height);
        int[] counts = new int[bins];
        double min = values.Count == 0 ? 0 : values.Min();
        double max = values.Count == 0 ? 1 : values.Max();

        // Every value equal: no range to split, so all of them go in the middle bar and the axis names the one value.
        bool single = values.Count > 0 && max <= min;
        foreach (double v in values)
        {
            counts[single ? bins / 2 : Math.Min(bins - 1, (int)((v - min) / (max - min) * bins))]++;
        }

        double top = Math.Max(1, counts.Max());
        double plotWidth = Width - Left - 16;
        double plotHeight = Height - Top - Bottom;
        Axis(svg, top, c => c.ToString("0", CultureInfo.InvariantCulture), plotHeight);
        double barWidth = plotWidth / bins;
        for (int i = 0; i < bins; i++)
        {
            double h = counts[i] / top * plotHeight;
            double lo = min + ((max - min) * i / bins);
            double hi = min + ((max - min) * (i + 1) / bins);
            string range = single ? format(min) : $"{format(lo)} to {format(hi)}";
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar\" x=\"{Left + (i * barWidth) + 1:0.##}\" y=\"{Top + plotHeight - h:0.##}\" width=\"{barWidth - 2:0.##}\" height=\"{h:0.##}\" fill=\"#6a8fbf\"><title>{E(range)}: {counts[i]}</title></rect>");
        }

        if (single)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + (plotWidth / 2):0.#}\" y=\"{Height - 12}\" font-size=\"11\" text-anchor=\"middle\">all {E(format(min))}</text>");
            return Close(svg, caption);
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{Height - 12}\" font-size=\"11\">{E(format(min))}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - 16}\" y=\"{Height - 12}\" font-size=\"11\" text-anchor=\"end\">{E(format(max))}</text>");
        return Close(svg, caption);
    }

    public static string E(string text) => WebUtility.HtmlEncode(text);

    private static StringBuilder Open(string id, string caption, int width, int height) =>
        new StringBuilder().Append(CultureInfo.InvariantCulture, $"<figure><svg data-chart=\"{E(id)}\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{E(caption)}\" xmlns=\"http://www.w3.org/2000/svg\">");

    private static string Close(StringBuilder svg, string caption) =>
        svg.Append("</svg><figcaption>").Append(E(caption)).Append("</figcaption></figure>").ToString();

    private static void Axis(StringBuilder svg, double max, Func<double, string> format, double plotHeight)
    {
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left - 4}\" y1=\"{Top + plotHeight:0.#}\" x2=\"{Width - 16}\" y2=\"{Top + plotHeight:0.#}\" stroke=\"#999\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left - 4}\" y1=\"{Top}\" x2=\"{Left - 4}\" y2=\"{Top + plotHeight:0.#}\" stroke=\"#999\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 8}\" y=\"{Top + 10}\" font-size=\"11\" text-anchor=\"end\">{E(format(max))}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 8}\" y=\"{Top + plotHeight:0.#}\" font-size=\"11\" text-anchor=\"end\">0</text>");
    }

    private static double Max(IReadOnlyList<double> values)
    {
        double max = values.Count == 0 ? 0 : values.Max();
        return max > 0 ? max : 1;
    }

    private static string Shorten(string label) => label.Length <= 22 ? label : label[..21] + "…";
}
