// Tandem benchmarks. Usage: dotnet run -c Release --project bench/Tandem.Bench -- train [--steps N] [--threads N] [--bf16]
var mode = args.Length > 0 ? args[0] : "";
switch (mode)
{
    case "train":
        Tandem.Bench.TrainBench.Run(args[1..]);
        break;
    default:
        Console.WriteLine("modes: train [--steps N] [--threads N] [--bf16]");
        break;
}
