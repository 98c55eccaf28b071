using Tandem.Pretrained;
using Tandem.Training;

namespace Tandem.Tasks.Sql.Experiments;

/// <summary>The model rows of the English-to-SQL experiment: which halves are pre-trained, and how they are joined.</summary>
public sealed record ExperimentVariant(string Name, string TableName, string Description)
{
    /// <summary>Every variant, in table order.</summary>
    public static IReadOnlyList<ExperimentVariant> All { get; } =
    [
        new("bert2bert", "MiniLM2MiniLM (BERT2BERT)", "encoder and decoder warm-started from minilm"),
        new("bertshare", "MiniLM shared (BERTShare)", "one set of minilm weights for encoder and decoder"),
        new("bert2rnd", "MiniLM2RND", "minilm encoder, randomly initialised decoder of the same shape"),
        new("rnd2rnd", "RND2RND", "both halves random (MiniLM shape), the no-pre-training baseline"),
        new("unilm", "MiniLM UniLM (prefix LM)", "one minilm stack with the UniLM prefix mask"),
        new("bert2dec", "MiniLM2<decoder>", "minilm encoder, the decoder checkpoint given by --decoder (its own tokenizer)"),
        new("bert2rnd-dec", "MiniLM2RND-<decoder>", "minilm encoder, a random decoder of --decoder's shape, with --decoder's tokenizer"),
    ];

    /// <summary>The variant called <paramref name="name"/>, with a clear error listing the known ones.</summary>
    public static ExperimentVariant Find(string name) =>
        All.FirstOrDefault(v => v.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new TandemException($"unknown model variant '{name}' (known: {string.Join(", ", All.Select(v => v.Name))})");

    /// <summary>The training config's model section for this variant, built from <paramref name="baseModel"/>
    /// (a BERT folder or an embedded name) and, for the variants that take one, <paramref name="decoder"/> (a decoder
    /// checkpoint folder with its tokenizer, e.g. a BERT pre-trained on SQL by <c>tandem pretrain</c>).</summary>
    public ModelSection ModelSection(string baseModel, string? cacheDir, string? decoder = null)
    {
        var dir = EmbeddedModels.Resolve(baseModel, cacheDir);
        var random = "random:" + Path.Combine(dir, "config.json");
        if (Name.EndsWith("dec", StringComparison.Ordinal) && decoder is null)
            throw new TandemException($"the {Name} variant needs a decoder checkpoint (--decoder DIR)");
        return Name switch
        {
            "bert2bert" => new ModelSection { Encoder = dir, Decoder = dir },
            "bertshare" => new ModelSection { Encoder = dir, Decoder = dir, TieEncoderDecoder = true },
            "bert2rnd" => new ModelSection { Encoder = dir, Decoder = random, Tokenizer = dir },
            "rnd2rnd" => new ModelSection { Encoder = random, Decoder = random, Tokenizer = dir },
            "unilm" => new ModelSection { Unilm = dir },
            // the random decoder reads its tokenizer from beside its config.json: the decoder folder's own
            "bert2dec" => new ModelSection { Encoder = dir, Decoder = decoder },
            "bert2rnd-dec" => new ModelSection { Encoder = dir, Decoder = "random:" + Path.Combine(decoder!, "config.json") },
            _ => throw new TandemException($"unknown model variant '{Name}'"),
        };
    }
}
