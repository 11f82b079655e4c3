using LlmOps.Stores.Worker;

// Dispatches `<command> args...` to the IWorkerCommand of that name (found by reflection, so a new command is one file).
var commands = typeof(IWorkerCommand).Assembly.GetTypes()
    .Where(t => !t.IsAbstract && typeof(IWorkerCommand).IsAssignableFrom(t))
    .Select(t => (IWorkerCommand)Activator.CreateInstance(t)!)
    .ToDictionary(c => c.Name, StringComparer.Ordinal);

if (args.Length == 0 || !commands.TryGetValue(args[0], out var command))
{
    Console.Error.WriteLine($"usage: LlmOps.Stores.Worker <command> [args]; commands: {string.Join(", ", commands.Keys.Order())}");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
return await command.RunAsync(args[1..], cancel.Token);
