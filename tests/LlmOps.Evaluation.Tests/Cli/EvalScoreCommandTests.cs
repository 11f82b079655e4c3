using System.Text.Json;
using LlmOps.Cli;
using LlmOps.Evaluation.Metrics;

namespace LlmOps.Evaluation.Tests.Cli;

public sealed class EvalScoreCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("llmops-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteFile(string content)
    {
        string path = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".tsv");
        File.WriteAllText(path, content);
        return path;
    }

    private static async Task<(int Code, string Out, string Err)> Run(string stdin, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await LlmOpsCli.RunAsync(args, output, error, new StringReader(stdin), CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    private const string SacreBleuReadme =
        "# sacrebleu's README example\n" +
        "The dog bit the man.\tThe dog bit the man.\tThe dog had bit the man.\n" +
        "It wasn't surprising.\tIt was not unexpected.\tNo one was surprised.\n" +
        "\n" +
        "The man had just bitten him.\tThe man bit him first.\tThe man had bitten the dog.\n";

    [Fact]
    public async Task Score_Json_HasTheDocumentedShapeAndSacreBleuCorpusValues()
    {
        (int code, string stdout, string stderr) = await Run(string.Empty, "eval", "score", "--metrics", "bleu,chrf,rouge1,rouge2,rougeL", WriteFile(SacreBleuReadme), "--json");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal(string.Empty, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement corpus = doc.RootElement.GetProperty("corpus");
        Assert.Equal(["bleu", "chrf"], corpus.EnumerateObject().Select(p => p.Name));
        Assert.Equal(48.5308, corpus.GetProperty("bleu").GetDouble(), 4);   // sacrebleu README: BLEU = 48.53
        Assert.Equal(59.7275, corpus.GetProperty("chrf").GetDouble(), 4);   // sacrebleu README: chrF2 = 59.73

        JsonElement[] items = [.. doc.RootElement.GetProperty("items").EnumerateArray()];
        Assert.Equal([2, 3, 5], items.Select(i => i.GetProperty("line").GetInt32()));
        JsonElement last = items[2];
        Assert.Equal(["line", "bleu", "chrf", "rouge1", "rouge2", "rougeL"], last.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Bleu.SentenceScore("The man had just bitten him.", ["The man bit him first.", "The man had bitten the dog."]).Score, last.GetProperty("bleu").GetDouble(), 10);
        RougeScore rouge1 = new RougeScorer().Score("The man had just bitten him.", "The man bit him first.", RougeType.Rouge1);
        JsonElement r1 = last.GetProperty("rouge1");
        Assert.Equal(rouge1.Precision, r1.GetProperty("p").GetDouble(), 10);
        Assert.Equal(rouge1.Recall, r1.GetProperty("r").GetDouble(), 10);
        Assert.Equal(rouge1.FMeasure, r1.GetProperty("f").GetDouble(), 10);
    }

    [Fact]
    public async Task Score_Stem_ChangesRougeOnly()
    {
        string path = WriteFile("cats running\tcat run\n");
        (_, string plain, _) = await Run(string.Empty, "eval", "score", "--metrics", "rouge1", path, "--json");
        (_, string stemmed, _) = await Run(string.Empty, "eval", "score", "--metrics", "rouge1", "--stem", path, "--json");

        Assert.Equal(0.0, JsonDocument.Parse(plain).RootElement.GetProperty("items")[0].GetProperty("rouge1").GetProperty("f").GetDouble());
        Assert.Equal(1.0, JsonDocument.Parse(stemmed).RootElement.GetProperty("items")[0].GetProperty("rouge1").GetProperty("f").GetDouble());
    }

    [Fact]
    public async Task Score_StandardInputAndTextTable()
    {
        (int code, string stdout, _) = await Run("Denver Broncos\tthe Denver Broncos\n", "eval", "score", "-m", "exact_match,token_f1,chrf++", "-");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("exact_match", stdout, StringComparison.Ordinal);
        Assert.Contains("corpus chrf++:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Score_UnknownMetric_IsAUsageErrorThatListsTheMetrics()
    {
        (int code, _, string stderr) = await Run(string.Empty, "eval", "score", "--metrics", "bleu,meteor", WriteFile("a\tb\n"));

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("unknown metric 'meteor'", stderr, StringComparison.Ordinal);
        Assert.Contains("rougeLsum", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Score_MissingFile_IsAnInputError()
    {
        (int code, _, string stderr) = await Run(string.Empty, "eval", "score", Path.Combine(_directory, "absent.tsv"));

        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Score_LineWithoutTab_NamesTheLineAndTheFix()
    {
        string path = WriteFile("# header\nok\tfine\nno tab here\n");
        (int code, string stdout, string stderr) = await Run(string.Empty, "eval", "score", path, "--json");

        Assert.Equal(ExitCodes.InputError, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains($"{path}:3:", stderr, StringComparison.Ordinal);
        Assert.Contains("tab", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Score_OnlyComments_IsAnInputError()
    {
        (int code, _, string stderr) = await Run(string.Empty, "eval", "score", WriteFile("# nothing\n\n"));

        Assert.Equal(ExitCodes.InputError, code);
        Assert.Contains("no prediction lines", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("eval", "scor")]
    [InlineData("eval", "score")]
    [InlineData("eval", "score", "x.tsv", "--bogus")]
    public async Task BadCommandLine_IsAUsageError(params string[] args)
    {
        (int code, _, string stderr) = await Run(string.Empty, args);

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Matches(@"Run 'llmops( eval)?( score)? --help'", stderr); // the help of the command that was meant
    }

    [Fact]
    public async Task Score_Cancelled_ReturnsTheCancelledCode()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        using var output = new StringWriter();
        using var error = new StringWriter();

        int code = await LlmOpsCli.RunAsync(["eval", "score", WriteFile("a\tb\n")], output, error, new StringReader(string.Empty), cts.Token);

        Assert.Equal(ExitCodes.Cancelled, code);
    }
}
