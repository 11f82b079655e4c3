namespace LlmOps.Stores.Worker;

/// <summary>Prints its arguments: proves that the tests can start a worker process and read what it says.</summary>
internal sealed class EchoCommand : IWorkerCommand
{
    public string Name => "echo";

    public Task<int> RunAsync(string[] arguments, CancellationToken cancellationToken)
    {
        Console.WriteLine(string.Join(' ', arguments));
        return Task.FromResult(0);
    }
}
