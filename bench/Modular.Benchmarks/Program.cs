using BenchmarkDotNet.Running;

// Run by hand, never by the test command:
//   dotnet run -c Release --project bench/Modular.Benchmarks -- --filter '*'
//   dotnet run -c Release --project bench/Modular.Benchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
