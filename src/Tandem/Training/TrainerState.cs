using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tandem.Training;

/// <summary>What a checkpoint holds beside the model and the optimizer: where training stands
/// (<c>trainer_state.json</c>).</summary>
public sealed class TrainerState
{
    /// <summary>The file name in a checkpoint folder.</summary>
    public const string FileName = "trainer_state.json";

    /// <summary>Optimizer steps done.</summary>
    [JsonPropertyName("step")] public int Step { get; set; }
    /// <summary>Epoch in progress (from 0).</summary>
    [JsonPropertyName("epoch")] public int Epoch { get; set; }
    /// <summary>Batches of <see cref="Epoch"/> already consumed.</summary>
    [JsonPropertyName("batch_in_epoch")] public int BatchInEpoch { get; set; }
    /// <summary>Total optimizer steps planned.</summary>
    [JsonPropertyName("total_steps")] public int TotalSteps { get; set; }
    /// <summary>Training time spent before this process (seconds), for the time budget.</summary>
    [JsonPropertyName("elapsed_seconds")] public double ElapsedSeconds { get; set; }
    /// <summary>Learning-rate factor of the next step (the scheduler's state; recomputed from the step).</summary>
    [JsonPropertyName("lr_factor")] public double LrFactor { get; set; }
    /// <summary>TorchSharp's CPU generator state (dropout), base64.</summary>
    [JsonPropertyName("rng_state")] public string RngState { get; set; } = "";
    /// <summary>The metric that ranks checkpoints.</summary>
    [JsonPropertyName("metric")] public string Metric { get; set; } = "loss";
    /// <summary>Best value of <see cref="Metric"/> so far.</summary>
    [JsonPropertyName("best_value")] public double? BestValue { get; set; }
    /// <summary>Step of the best evaluation.</summary>
    [JsonPropertyName("best_step")] public int? BestStep { get; set; }
    /// <summary>Evaluations since the best one (early stopping).</summary>
    [JsonPropertyName("evals_without_improvement")] public int EvalsWithoutImprovement { get; set; }
    /// <summary>Metrics of the evaluation at this step, if one ran.</summary>
    [JsonPropertyName("metrics")] public Dictionary<string, double>? Metrics { get; set; }
    /// <summary>Parameter names treated as newly initialised (their learning-rate group).</summary>
    [JsonPropertyName("new_keys")] public List<string> NewKeys { get; set; } = [];

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Writes the state into <paramref name="dir"/>.</summary>
    public void Save(string dir) => AtomicFile.WriteAllText(Path.Combine(dir, FileName), JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>Reads the state of a checkpoint folder.</summary>
    public static TrainerState Load(string dir)
    {
        var path = Path.Combine(dir, FileName);
        try { return JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(path), Json) ?? throw new TandemException($"{path}: empty"); }
        catch (Exception e) when (e is JsonException or IOException) { throw new TandemException($"{path}: unreadable trainer state ({e.Message})", e); }
    }
}
