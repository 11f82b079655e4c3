using System.Globalization;
using System.Text;
using LlmOps.Prompts;
using Microsoft.Extensions.AI;

namespace LlmOps.Tests.Prompts;

/// <summary>Save → load through <see cref="FilePromptStore"/> keeps every template <see cref="PromptTemplate"/> accepts.</summary>
public sealed class FilePromptStoreRoundTripTests : IDisposable
{
    // Pieces that have broken the file format before, or could: line breaks of every kind, YAML indicators,
    // words YAML reads as null or bool, role headers, escapes, front-matter fences, a BOM, a surrogate pair.
    private static readonly string[] Pieces =
    [
        "a", "Z", "é", "\U0001F600", " ", "  ", "\t", "\n", "\r", "\r\n", "\n\n", "\u0085", "\u2028", "\u2029", "\\", "\\{{", "{{x}}",
        "{", "}", ":", ": ", "#", "- ", "---", "...", "user:", "system:", "developer:", "tool:", "null", "~", "true", "0x1F", "1e3",
        "'", "\"", "|", "|+", ">", "&a", "*b", "!t", "%", "@", "`", "\0", "\u0001", "\u007F", "\uFEFF", "\\&", "\\r", "\\\\",
    ];

    private static readonly string[] RoleNames = ["system", "user", "assistant", "tool", "developer", "System", "critic: 2", " x", "ünï", "a\rb"];

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "llmops-roundtrip-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task SaveLoad_RandomTemplates_RoundTripByteForByte()
    {
        // The format itself, in memory (fast), then a sample through the store's files.
        var random = new Random(20261204);
        for (var i = 0; i < 400; i++)
        {
            var template = RandomTemplate(random, $"p{i}");
            var text = PromptFileFormat.Write(template);
            var loaded = PromptFileFormat.Read("mem", text);
            AssertSame(template, loaded, $"case {i}");
            Assert.Equal(text, PromptFileFormat.Write(loaded));
        }

        var store = new FilePromptStore(_dir);
        for (var i = 0; i < 25; i++)
        {
            await AssertRoundTripsAsync(store, RandomTemplate(random, $"f{i}"), $"file case {i}");
        }
    }

    [Fact]
    public async Task Load_HandWrittenCrlfFile_ReadsLikeLf()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "p")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "v1.prompt.md"), "---\r\nname: p\r\nversion: 1\r\n---\r\nsystem:\r\nBe brief.\r\nTwo lines.\r\n\r\nuser:\r\n{{q}}\r\n");
        var record = await new FilePromptStore(_dir).LoadAsync("p");
        var loaded = Assert.Single(record!.Versions);
        Assert.Equal("Be brief.\nTwo lines.", loaded.Messages[0].Content);
        Assert.Equal("{{q}}", loaded.Messages[1].Content);
    }

    [Fact]
    public void Constructor_RoleThatCannotBeAHeader_Rejected()
    {
        Assert.Throws<ArgumentException>(() => new PromptTemplate("p", [new(new ChatRole("two\nlines"), "x")]));
        Assert.Throws<ArgumentException>(() => new PromptTemplate("p", [new(new ChatRole("\\x"), "x")]));
        Assert.Throws<ArgumentException>(() => new PromptTemplate("p", [new(ChatRole.User, "lone \uD800 surrogate")]));
    }

    [Theory]
    [InlineData("crlf", "line one\r\nline two\r\n")]
    [InlineData("lone-cr", "a\rb\r")]
    [InlineData("nel", "a\u0085b")]
    [InlineData("line-separator", "a\u2028b\u2029")]
    [InlineData("trailing-newlines", "a\n\n")]
    public async Task SaveLoad_TrickyContent_RoundTrips(string name, string content)
    {
        var template = new PromptTemplate(name, [new(ChatRole.System, content), new(ChatRole.User, content)],
            [new PromptVariable("v", Required: false, Default: content)],
            new PromptModelSettings { ModelId = content },
            new PromptMetadata { Description = content, Author = content, Tags = [content] }).WithVersion(1);
        await AssertRoundTripsAsync(new FilePromptStore(_dir), template, name);
    }

    [Fact]
    public async Task SaveLoad_YamlBlockScalarWithTrailingNewline_RoundTrips()
    {
        var template = new PromptTemplate("block", [new(ChatRole.User, "hi")],
            metadata: new PromptMetadata { Description = "first line\nsecond line\n" }).WithVersion(1);
        await AssertRoundTripsAsync(new FilePromptStore(_dir), template, "block");
    }

    [Fact]
    public async Task SaveLoad_DeveloperRole_RoundTrips()
    {
        var template = new PromptTemplate("dev", [new(new ChatRole("developer"), "Be terse.\ndeveloper:"), new(ChatRole.User, "{{q}}")]).WithVersion(1);
        await AssertRoundTripsAsync(new FilePromptStore(_dir), template, "dev");
    }

    private static async Task AssertRoundTripsAsync(FilePromptStore store, PromptTemplate template, string because)
    {
        await store.AddVersionAsync(template);
        var path = Path.Combine(store.Directory, template.Name, $"v{template.Version}.prompt.md");
        var written = await File.ReadAllBytesAsync(path);
        var record = await new FilePromptStore(store.Directory).LoadAsync(template.Name);
        Assert.True(record is not null, because);
        var loaded = Assert.Single(record.Versions);
        AssertSame(template, loaded, because);

        // Saving what was loaded writes the same bytes.
        var again = new FilePromptStore(Path.Combine(store.Directory, "again"));
        await again.AddVersionAsync(loaded);
        Assert.Equal(written, await File.ReadAllBytesAsync(Path.Combine(again.Directory, template.Name, $"v{template.Version}.prompt.md")));
    }

    private static void AssertSame(PromptTemplate template, PromptTemplate loaded, string because)
    {
        Assert.Equal(template.Name, loaded.Name);
        Assert.Equal(template.Version, loaded.Version);
        Assert.Equal(template.Messages.Count, loaded.Messages.Count);
        for (var m = 0; m < template.Messages.Count; m++)
        {
            Assert.Equal(template.Messages[m].Role.Value, loaded.Messages[m].Role.Value);
            Assert.Equal(template.Messages[m].Content, loaded.Messages[m].Content);
        }

        Assert.Equal(template.Variables, loaded.Variables);
        Assert.Equal(template.Settings, loaded.Settings);
        Assert.Equal(template.Metadata.Author, loaded.Metadata.Author);
        Assert.Equal(template.Metadata.Description, loaded.Metadata.Description);
        Assert.Equal(template.Metadata.Tags, loaded.Metadata.Tags);
        Assert.Equal(template.ContentHash, loaded.ContentHash);
        Assert.True(loaded.IsIntact, because);
    }

    private static PromptTemplate RandomTemplate(Random random, string name)
    {
        var messages = new List<PromptMessageTemplate>();
        var count = random.Next(1, 5);
        for (var i = 0; i < count; i++)
        {
            messages.Add(new(new ChatRole(RoleNames[random.Next(RoleNames.Length)]), RandomText(random, 12)));
        }

        var variables = new List<PromptVariable>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = random.Next(0, 3); i > 0; i--)
        {
            var variable = RandomText(random, 3);
            if (names.Add(variable)) variables.Add(new PromptVariable(variable, random.Next(2) == 0, random.Next(3) == 0 ? null : RandomText(random, 6)));
        }

        PromptModelSettings? settings = random.Next(3) == 0 ? null : new PromptModelSettings
        {
            ModelId = Maybe(random, 4),
            Temperature = random.Next(4) switch { 0 => null, 1 => (float)random.NextDouble() * 2, 2 => BitConverter.Int32BitsToSingle(random.Next()), _ => SpecialFloat(random) },
            MaxOutputTokens = random.Next(3) == 0 ? null : random.Next(int.MinValue, int.MaxValue),
            ResponseFormat = Maybe(random, 2),
        };
        var metadata = new PromptMetadata
        {
            Author = Maybe(random, 3),
            Description = Maybe(random, 10),
            Tags = [.. Enumerable.Range(0, random.Next(0, 3)).Select(_ => RandomText(random, 2))],
        };
        return new PromptTemplate(name, messages, variables, settings, metadata).WithVersion(random.Next(1, 50));
    }

    private static float SpecialFloat(Random random) => random.Next(6) switch
    {
        0 => float.NaN,
        1 => float.PositiveInfinity,
        2 => float.NegativeInfinity,
        3 => -0f,
        4 => float.Epsilon,
        _ => float.MaxValue,
    };

    private static string? Maybe(Random random, int pieces) => random.Next(3) == 0 ? null : RandomText(random, pieces);

    private static string RandomText(Random random, int maxPieces)
    {
        var sb = new StringBuilder();
        for (var i = random.Next(0, maxPieces + 1); i > 0; i--) sb.Append(Pieces[random.Next(Pieces.Length)]);
        return sb.ToString();
    }
}
