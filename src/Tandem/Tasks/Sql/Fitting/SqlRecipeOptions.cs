namespace Tandem.Tasks.Sql.Fitting;

/// <summary>
/// The English-to-SQL recipe's settings, shared by <c>tandem experiment geoquery</c>, <c>tandem sql fit</c> and
/// <c>tandem experiment restaurants</c>: the defaults are the ones chosen on GeoQuery (docs/text2sql.md) and are used
/// unchanged on any other database.
/// </summary>
public class SqlRecipeOptions
{
    /// <summary>Model variant (<see cref="Experiments.ExperimentVariant.All"/>).</summary>
    public string Variant { get; init; } = "bert2bert";
    /// <summary>The pre-trained checkpoint the variants start from (an embedded name or a BERT folder).</summary>
    public string BaseModel { get; init; } = "minilm";
    /// <summary>The decoder checkpoint of the <c>bert2dec</c> and <c>bert2rnd-dec</c> variants (e.g. a BERT
    /// pre-trained on SQL), with its own tokenizer.</summary>
    public string? Decoder { get; init; }
    /// <summary>Training time budget in minutes.</summary>
    public double Minutes { get; init; } = 20;
    /// <summary>Cap on optimiser steps (the time budget usually ends training first).</summary>
    public int MaxSteps { get; init; } = 3000;
    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 1e-4;
    /// <summary>Token budget of a batch (rows x padded length).</summary>
    public int MaxTokens { get; init; } = 2048;
    /// <summary>Evaluate on dev (exact match) every this many steps when dev picks the checkpoint.</summary>
    public int EvalEverySteps { get; init; } = 100;
    /// <summary>Beam width at test time.</summary>
    public int NumBeams { get; init; } = 1;
    /// <summary>Beam candidates to choose from at test time (execution-guided choice, see <see cref="SqlAsker"/>);
    /// 1 takes the model's best as it is. The default, 4, with <see cref="QuestionLiterals"/>, was chosen on three
    /// held-out folds of GeoQuery's train+dev (360 questions, docs/text2sql.md): exact match 287 against 282 for 1.</summary>
    public int Candidates { get; init; } = 4;
    /// <summary>How a candidate is chosen among <see cref="Candidates"/> (<see cref="SqlChoice"/>).</summary>
    public SqlChoice Choice { get; init; } = SqlChoice.FirstAnswer;
    /// <summary>Pass over candidates with a string literal the question does not spell while another candidate runs
    /// (<see cref="SqlAsker.Choose"/>). On by default: chosen on three held-out folds of GeoQuery's train+dev (360
    /// questions, 4 candidates: exact match 282 against 275 without it, 7 gained and none lost).</summary>
    public bool QuestionLiterals { get; init; } = true;
    /// <summary>fp32 or bf16 (matrix products in bfloat16, float32 master weights) for training and testing.</summary>
    public string Precision { get; init; } = "bf16";
    /// <summary>Repair wrongly copied names with the database's values (<see cref="SqlValueLinker"/>).</summary>
    public bool LinkValues { get; init; } = true;
    /// <summary>Decode with <see cref="SqlSchemaConstraint"/>: only the database's tables and columns where SQL calls
    /// for one.</summary>
    public bool SchemaConstraint { get; init; }
    /// <summary>Re-filled copies of each training question (<see cref="SqlValueAugmenter"/>; only pairs read with
    /// their templates, as text2sql-data's, can be re-filled); 0 trains on the pairs as they are. Off by default: on
    /// GeoQuery's dev (UniLM, 4 copies) it did not help at this budget (38/49 exact against 39/49).</summary>
    public int Augment { get; init; } = 0;
    /// <summary>Moving average of the weights for evaluation and checkpoints (<c>optimizer.ema_decay</c>; 0 = off).
    /// The default, 0.995, was chosen on GeoQuery's dev: it did not raise the best dev checkpoint, but it made the last
    /// one as good as the best (UniLM, 49 dev questions: last 38/49 exact with the average against 36-37/49 without),
    /// which is what training on everything and keeping the last checkpoint needs.</summary>
    public double EmaDecay { get; init; } = 0.995;
    /// <summary>Label smoothing of the training loss (<c>optimizer.label_smoothing</c>; 0 = off). The default, 0.1,
    /// was chosen on three held-out folds of GeoQuery's train+dev (BERTShare, 360 questions: exact match 287 against
    /// 282 without it, both with the default decoding).</summary>
    public double LabelSmoothing { get; init; } = 0.1;
    /// <summary>Random seed.</summary>
    public int Seed { get; init; } = 1;
    /// <summary>The command line as typed, recorded in a result row.</summary>
    public string Command { get; init; } = "";
    /// <summary>Embedded model cache.</summary>
    public string? CacheDir { get; init; }
}
