namespace LlmOps.Stores.Worker;

/// <summary>One thing a worker process can do for a cross-process test; one class per command.</summary>
internal interface IWorkerCommand
{
    /// <summary>Gets the command name (the first command-line argument).</summary>
    string Name { get; }

    /// <summary>Runs the command with the remaining arguments; returns the process exit code.</summary>
    Task<int> RunAsync(string[] arguments, CancellationToken cancellationToken);
}
