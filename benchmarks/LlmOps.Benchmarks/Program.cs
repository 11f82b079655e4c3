using BenchmarkDotNet.Running;

// Run all: dotnet run -c Release --project benchmarks/LlmOps.Benchmarks -- --filter '*'
// Results land in BenchmarkDotNet.Artifacts/; copy the markdown table into benchmarks/results/.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
