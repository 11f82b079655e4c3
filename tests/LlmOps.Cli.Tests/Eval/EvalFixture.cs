using System.Text.Json;

namespace LlmOps.Cli.Tests.Eval;

/// <summary>A 12-item capitals dataset and two sets of answers: v1 one word (wrong for Switzerland), v2 full sentences.</summary>
internal static class EvalFixture
{
    private static readonly (string Country, string City)[] Capitals =
    [
        ("France", "Paris"), ("Germany", "Berlin"), ("Italy", "Rome"), ("Spain", "Madrid"), ("Portugal", "Lisbon"), ("the Netherlands", "Amsterdam"),
        ("Belgium", "Brussels"), ("Austria", "Vienna"), ("Switzerland", "Bern"), ("Poland", "Warsaw"), ("Sweden", "Stockholm"), ("Norway", "Oslo"),
    ];

    public static int Count => Capitals.Length;

    public static string Dataset(string folder)
    {
        string path = Path.Combine(folder, "capitals.jsonl");
        File.WriteAllLines(path, Capitals.Select((c, i) => JsonSerializer.Serialize(new { id = $"q{i:D2}", input = $"What is the capital of {c.Country}?", reference = $"The capital of {c.Country} is {c.City}." })));
        return path;
    }

    public static string Brief(string folder) => Responses(folder, "v1.jsonl", c => (c.Country == "Switzerland" ? "Zurich" : c.City) + ".");

    public static string Full(string folder) => Responses(folder, "v2.jsonl", c => $"The capital of {c.Country} is {c.City}.");

    /// <summary>Full sentences in varied wording (and one wrong city), so the report's distributions have a spread.</summary>
    public static string Mixed(string folder) => Responses(folder, "v3.jsonl", c => (c.Country.Length % 4) switch
    {
        0 => $"The capital of {c.Country} is {c.City}.",
        1 => $"{c.City} is the capital of {c.Country}.",
        2 => $"It is {(c.Country == "Switzerland" ? "Zurich" : c.City)}.",
        _ => $"The capital city of {c.Country} is {c.City}, its largest political centre.",
    });

    private static string Responses(string folder, string name, Func<(string Country, string City), string> answer)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllLines(path, Capitals.Select((c, i) => JsonSerializer.Serialize(new { id = $"q{i:D2}", response = answer(c) })));
        return path;
    }
}
