using System.Globalization;
using System.Text;

namespace LlmOps.Guardrails.Training;

/// <summary>
/// Scores the public sets' <c>test</c> splits with a detector and writes TPR and benign FPR per file and pooled, each
/// with its row count and 95% Wilson interval. Row texts are never written (the files hold offensive text).
/// </summary>
internal sealed class PublicTestReport
{
    private PublicTestReport(IReadOnlyList<(string File, bool IsAttack, bool Detected)> rows) => Rows = rows;

    /// <summary>Gets the scored rows (file, label, verdict), in file order.</summary>
    public IReadOnlyList<(string File, bool IsAttack, bool Detected)> Rows { get; }

    /// <summary>Scores every <c>test</c> row.</summary>
    /// <param name="publicRoot">The public sets' folder.</param>
    /// <param name="detect">The decision under test.</param>
    /// <returns>The report.</returns>
    public static PublicTestReport Score(string publicRoot, Func<string, bool> detect)
    {
        ArgumentNullException.ThrowIfNull(detect);
        var rows = new List<(string, bool, bool)>();
        foreach (var file in PublicInjectionData.Files)
        {
            foreach (var (isAttack, isTrain, text) in PublicInjectionData.Rows(publicRoot, file))
            {
                if (!isTrain)
                {
                    rows.Add((file, isAttack, detect(text)));
                }
            }
        }

        return new PublicTestReport(rows);
    }

    /// <summary>Counts the detections among one file's (or all files') rows of one label.</summary>
    /// <param name="file">The file, or <see langword="null"/> for all files.</param>
    /// <param name="attacks">Attacks (TPR) or benign rows (FPR).</param>
    /// <returns>The detections and the rows.</returns>
    public (int Hits, int N) Count(string? file, bool attacks)
    {
        var items = Rows.Where(r => r.IsAttack == attacks && (file is null || r.File == file)).ToList();
        return (items.Count(r => r.Detected), items.Count);
    }

    /// <summary>Formats a rate with its row count and interval.</summary>
    /// <param name="hits">The detections.</param>
    /// <param name="n">The rows.</param>
    /// <returns>"hits/n = rate [low, high]", or "-" when there are no rows.</returns>
    public static string Cell(int hits, int n)
    {
        if (n == 0)
        {
            return "-";
        }

        var (rate, low, high) = WilsonInterval.Of(hits, n);
        return string.Create(CultureInfo.InvariantCulture, $"{hits}/{n} = {rate * 100:0.0}% [{low * 100:0.0}%, {high * 100:0.0}%]");
    }

    /// <summary>Writes the table.</summary>
    /// <returns>Markdown.</returns>
    public string Markdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| Test split | Attack TPR | Benign FPR |");
        text.AppendLine("|---|---|---|");
        foreach (var file in PublicInjectionData.Files.Append(null))
        {
            var (tp, p) = Count(file, attacks: true);
            var (fp, n) = Count(file, attacks: false);
            text.AppendLine($"| {file ?? "pooled"} | {Cell(tp, p)} | {Cell(fp, n)} |");
        }

        return text.ToString();
    }
}
