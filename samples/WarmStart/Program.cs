// Warm-starts BERT2BERT from the embedded MiniLM, fine-tunes it for a few steps on a handful of English -> SQL
// pairs and generates. Run: dotnet run -c Release --project samples/WarmStart (after packing Tandem, see README).
using Tandem.Pipelines;
using Tandem.Training;

string[][] pairs =
[
    ["how big is texas ?", "select area from state where state_name = 'texas'"],
    ["how big is ohio ?", "select area from state where state_name = 'ohio'"],
    ["what is the capital of texas ?", "select capital from state where state_name = 'texas'"],
    ["what is the capital of ohio ?", "select capital from state where state_name = 'ohio'"],
    ["how many people live in texas ?", "select population from state where state_name = 'texas'"],
    ["how many people live in ohio ?", "select population from state where state_name = 'ohio'"],
];
// Optional arguments: the BERT both halves start from (a folder, or the embedded "minilm") and the number of steps.
var bert = args.Length > 0 ? args[0] : "minilm";
int steps = args.Length > 1 ? int.Parse(args[1]) : 8;

var work = Path.Combine(Path.GetTempPath(), "tandem-warmstart-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(work);
var train = Path.Combine(work, "train.tsv");
File.WriteAllLines(train, pairs.Select(p => p[0] + "\t" + p[1]));

var config = new TrainConfig
{
    Model = new ModelSection { Encoder = bert, Decoder = bert },   // BERT2BERT: both halves warm-started from one BERT
    Data = new DataSection { Splits = new() { ["train"] = train } },
    Optimizer = new OptimizerSection { Lr = 1e-4 },
    Schedule = new ScheduleSection { MaxSteps = steps },
    Output = new OutputSection { Dir = Path.Combine(work, "run"), Plots = false },
};
try
{
    var result = Trainer.Run(config, new TrainOptions { Log = Console.WriteLine });
    Console.WriteLine($"fine-tuned {result.Steps} steps: loss {result.LossCurve[0]:F3} -> {result.LossCurve[^1]:F3}");

    using var pipeline = Seq2SeqPipeline.Load(result.LastCheckpoint!);
    var generation = pipeline.Model.GenerationConfig;
    generation.MaxNewTokens = 32;
    foreach (var item in pipeline.Generate(["what is the capital of ohio ?"], generation))
        Console.WriteLine($"generated: {item.Texts[0]}");
}
finally
{
    Directory.Delete(work, recursive: true);
}
