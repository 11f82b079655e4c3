using System.Diagnostics;

namespace LlmOps.Stores.Tests.Engines;

/// <summary>Starts <c>LlmOps.Stores.Worker</c> as a separate OS process (the cross-process and crash tests).</summary>
internal static class WorkerProcess
{
    /// <summary>Gets the path of the worker's assembly, built beside the tests (the project reference builds it).</summary>
    public static string AssemblyPath
    {
        get
        {
            // tests/LlmOps.Stores.Tests/bin/<Configuration>/<tfm>/ -> tests/LlmOps.Stores.Worker/bin/<Configuration>/<tfm>/
            var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var tfm = here.Name;
            var configuration = here.Parent!.Name;
            var tests = here.Parent.Parent!.Parent!.Parent!.FullName;
            var path = Path.Combine(tests, "LlmOps.Stores.Worker", "bin", configuration, tfm, "LlmOps.Stores.Worker.dll");
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"The worker process is not built at {path}. Build tests/LlmOps.Stores.Worker first (dotnet build LlmOps.sln).", path);
        }
    }

    /// <summary>Starts a worker with a command and its arguments; standard output and error are redirected.</summary>
    public static Process Start(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(AssemblyPath);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start the worker process.");
    }

    /// <summary>Runs a worker to the end and returns its exit code, standard output and standard error.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        using var process = Start(arguments);
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await output, await error);
    }
}
