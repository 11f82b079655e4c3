using System.Diagnostics;
using System.Diagnostics.Metrics;
using LlmOps.Telemetry;

namespace LlmOps.Retrieval;

/// <summary>Turns ranked keys into results at the requested level, and records retrieval telemetry.</summary>
internal static class RetrievalResults
{
    /// <summary>How many chunks a document-level search first asks for, per document wanted.</summary>
    private const int DocumentExpansion = 4;

    private static readonly Histogram<double> Duration =
        LlmOpsTelemetry.Shared.GetOrCreateHistogram<double>(GroundingTelemetryNames.RetrievalDuration, "s", "Duration of one retrieval.");

    private static readonly Histogram<int> Results =
        LlmOpsTelemetry.Shared.GetOrCreateHistogram<int>(GroundingTelemetryNames.RetrievalResults, "{chunk}", "Results of one retrieval.");

    /// <summary>
    /// Runs <paramref name="search"/> for enough chunks to fill <paramref name="top"/> results at <paramref name="level"/>:
    /// at document level it asks for more chunks until it has enough distinct documents or the source is exhausted.
    /// </summary>
    public static List<RetrievedChunk> Collect<THit>(
        DocumentIndex index, Func<int, IReadOnlyList<THit>> search, Func<THit, (string Key, float Score)> read, RetrievalLevel level, int top)
    {
        int k = level == RetrievalLevel.Document ? checked(top * DocumentExpansion) : top;
        while (true)
        {
            IReadOnlyList<THit> hits = search(k);
            var results = new List<RetrievedChunk>(Math.Min(top, hits.Count));
            HashSet<string>? seen = level == RetrievalLevel.Document ? new HashSet<string>(StringComparer.Ordinal) : null;
            foreach (THit hit in hits)
            {
                (string key, float score) = read(hit);
                if (!index.TryGetChunk(key, out DocumentChunk chunk) || (seen is not null && !seen.Add(chunk.DocumentId)))
                {
                    continue;
                }

                results.Add(new RetrievedChunk(chunk, score));
                if (results.Count == top)
                {
                    return results;
                }
            }

            if (seen is null || hits.Count < k || k >= int.MaxValue / DocumentExpansion)
            {
                return results;
            }

            k *= DocumentExpansion;
        }
    }

    /// <summary>Keeps the first (best) chunk of each document.</summary>
    public static List<RetrievedChunk> BestPerDocument(IEnumerable<RetrievedChunk> ranked, int top)
    {
        var results = new List<RetrievedChunk>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (RetrievedChunk r in ranked)
        {
            if (seen.Add(r.Chunk.DocumentId))
            {
                results.Add(r);
                if (results.Count == top)
                {
                    break;
                }
            }
        }

        return results;
    }

    public static Activity? StartActivity(string method, RetrievalQuery query)
    {
        Activity? activity = LlmOpsTelemetry.Shared.ActivitySource.StartActivity(GroundingTelemetryNames.RetrieveActivity);
        activity?.SetTag(GroundingTelemetryNames.MethodAttribute, method);
        activity?.SetTag(GroundingTelemetryNames.LevelAttribute, LevelName(query.Level));
        return activity;
    }

    public static void Record(string method, RetrievalQuery query, TimeSpan elapsed, int count)
    {
        var tags = new TagList
        {
            { GroundingTelemetryNames.MethodAttribute, method },
            { GroundingTelemetryNames.LevelAttribute, LevelName(query.Level) },
        };
        Duration.Record(elapsed.TotalSeconds, tags);
        Results.Record(count, tags);
    }

    private static string LevelName(RetrievalLevel level) => level == RetrievalLevel.Document ? "document" : "chunk";
}
