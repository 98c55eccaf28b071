using Tandem.Bench;

return args.FirstOrDefault() switch
{
    "generate" => GenerationBenchmark.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Tandem.Bench generate [--reps N] [--calls N] [--call-tokens N]");
    return 2;
}
