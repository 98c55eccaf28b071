// Tandem benchmarks: they print figures (and ratios against a baseline measured in the same process); no pass/fail.
//   dotnet run -c Release --project bench/Tandem.Bench -- train [--steps N] [--threads N] [--bf16] [--batch N --source N --target N]
//   dotnet run -c Release --project bench/Tandem.Bench -- generate [--reps N] [--calls N] [--call-tokens N] [--threads N] [--bf16]
//   dotnet run -c Release --project bench/Tandem.Bench -- malloc [--reps N] [--steps N]   (train step per allocator)
//   dotnet run -c Release --project bench/Tandem.Bench -- pretrain [--steps N] [--threads N] [--fp32]   (masked-LM pre-training)
//   dotnet run -c Release --project bench/Tandem.Bench -- reverse [--reps N]   (the test suite's tiny reversal task, timed)
//   dotnet run -c Release --project bench/Tandem.Bench -- matvec [--reps N] [--threads N]   (one-row products: fp32, bf16, Tandem's bf16 kernel)
//   dotnet run -c Release --project bench/Tandem.Bench -- watchdog [--reps N] [--limit-ms N] [--db F]   (how late a query past its time limit is stopped)
//   dotnet run -c Release --project bench/Tandem.Bench -- collector-race [--seconds N]   (decoding while another thread collects: failures)
//   dotnet run -c Release --project bench/Tandem.Bench -- sgemm [--reps N] [--threads N]   (float32 products: Tandem's kernel against libtorch's)
//   dotnet run -c Release --project bench/Tandem.Bench -- loss [--reps N] [--threads N]   (the training step's loss: fused against libtorch's)
//   dotnet run -c Release --project bench/Tandem.Bench -- lanes [--reps N] [--elements N]   (element-wise kernels at Vector<T>'s width and at 512 bits)
Tandem.Native.OpenMPSpin.UseShortSpin();                   // as the CLI: before libtorch loads
var mode = args.Length > 0 ? args[0] : "";
switch (mode)
{
    case "train":
        Tandem.Bench.TrainBench.Run(args[1..]);
        break;
    case "generate":
        Tandem.Bench.GenerationBenchmark.Run(args[1..]);
        break;
    case "malloc":
        Tandem.Bench.MallocBench.Run(args[1..]);
        break;
    case "pretrain":
        Tandem.Bench.PretrainBench.Run(args[1..]);
        break;
    case "reverse":
        Tandem.Bench.ReverseBench.Run(args[1..]);
        break;
    case "matvec":
        Tandem.Bench.MatvecBench.Run(args[1..]);
        break;
    case "watchdog":
        Tandem.Bench.WatchdogBench.Run(args[1..]);
        break;
    case "collector-race":
        Tandem.Bench.CollectorRaceBench.Run(args[1..]);
        break;
    case "sgemm":
        Tandem.Bench.SgemmBench.Run(args[1..]);
        break;
    case "loss":
        Tandem.Bench.LossBench.Run(args[1..]);
        break;
    case "lanes":
        Tandem.Bench.LanesBench.Run(args[1..]);
        break;
    default:
        Console.WriteLine("modes: train [--steps N] [--threads N] [--bf16] [--batch N --source N --target N] | generate [--reps N] [--calls N] [--call-tokens N] [--threads N] [--bf16] | malloc [--reps N] [--steps N] | pretrain [--steps N] [--threads N] [--fp32] | reverse [--reps N] | matvec [--reps N] [--threads N] | watchdog [--reps N] [--limit-ms N] [--db F] | collector-race [--seconds N] | sgemm [--reps N] [--threads N] | loss [--reps N] [--threads N] | lanes [--reps N] [--elements N]");
        break;
}
