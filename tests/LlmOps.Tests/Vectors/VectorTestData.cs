using LlmOps.Vectors;

namespace LlmOps.Tests.Vectors;

internal static class VectorTestData
{
    public static float[] Random(Random rng, int dim)
    {
        var v = new float[dim];
        for (int i = 0; i < dim; i++)
        {
            v[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        if (Array.TrueForAll(v, x => x == 0))
        {
            v[0] = 1;
        }

        return v;
    }

    /// <summary>Naive reference: plain loops in double precision, full sort, ties by ordinal key.</summary>
    public static List<(string Key, double Score)> Reference(IEnumerable<(string Key, float[] Vector)> entries, float[] query, int k)
    {
        double qn = Math.Sqrt(query.Sum(x => (double)x * x));
        var all = new List<(string Key, double Score)>();
        foreach (var (key, v) in entries)
        {
            double dot = 0, vn = 0;
            for (int i = 0; i < v.Length; i++)
            {
                dot += (double)v[i] * query[i];
                vn += (double)v[i] * v[i];
            }

            all.Add((key, dot / (Math.Sqrt(vn) * qn)));
        }

        all.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : string.CompareOrdinal(a.Key, b.Key));
        return all.Take(k).ToList();
    }

    /// <summary>Asserts that actual top-k equals the reference up to float rounding at near-ties.</summary>
    public static void AssertMatches(List<(string Key, double Score)> expected, IReadOnlyList<VectorSearchResult> actual, Dictionary<string, double> exactScores, double tol = 2e-5)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < actual.Count; i++)
        {
            // The score reported for a key is that key's true cosine.
            Assert.Equal(exactScores[actual[i].Key], actual[i].Score, tol);

            // The i-th best score matches the reference's i-th best score.
            Assert.Equal(expected[i].Score, actual[i].Score, tol);
            if (i > 0)
            {
                Assert.True(actual[i - 1].Score >= actual[i].Score, "results must be in descending score");
            }
        }

        // Every key returned is one whose exact score reaches the reference's k-th score.
        if (expected.Count > 0)
        {
            double kth = expected[^1].Score;
            foreach (var r in actual)
            {
                Assert.True(exactScores[r.Key] >= kth - tol, $"key {r.Key} with score {exactScores[r.Key]} is below the k-th score {kth}");
            }
        }
    }
}
