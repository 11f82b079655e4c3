namespace LlmOps.Quality.Routing;

/// <summary>
/// Runs the chaos check alone, after the parallel tests: it drives 10,000 requests on a fake clock and gives the work
/// each clock step releases a few scheduler turns, which CPU-heavy tests running beside it (embedding models) can starve.
/// </summary>
[CollectionDefinition(nameof(ChaosCollection), DisableParallelization = true)]
public sealed class ChaosCollection;
