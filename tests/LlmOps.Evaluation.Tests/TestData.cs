namespace LlmOps.Evaluation.Tests;

internal static class TestData
{
    public static IEnumerable<string[]> ReadTsv(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "TestData", name);
        foreach (string line in File.ReadLines(path))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            yield return line.Split('\t');
        }
    }
}
