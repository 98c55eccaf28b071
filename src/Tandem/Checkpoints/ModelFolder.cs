using Tandem.Generation;
using Tandem.Tokenization;

namespace Tandem.Checkpoints;

/// <summary>What every Tandem model folder holds besides config and weights: generation defaults and the tokenizer.</summary>
public static class ModelFolder
{
    /// <summary>File name of the default generation options.</summary>
    public const string GenerationConfigName = "generation_config.json";

    /// <summary>Tokenizer files copied as they are when the source has no WordPiece vocabulary.</summary>
    static readonly string[] OtherTokenizerFiles = ["tokenizer.json", "vocab.json", "merges.txt"];

    /// <summary>Fills a freshly built seq2seq <paramref name="model"/> from the folder <paramref name="dir"/>: weights
    /// (strictly), generation defaults and the tokenizer source. The model is disposed if loading fails.</summary>
    public static T Load<T>(T model, string dir) where T : Tandem.Modeling.ISeq2SeqModel
    {
        try
        {
            model.TokenizerSource = dir;
            if (LoadWeightsStrict(model.Module, dir) is { } generation) model.GenerationConfig = generation;
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Writes a seq2seq model folder: config (by <paramref name="saveConfig"/>), the weights (tied tensors
    /// once), generation defaults and the tokenizer.</summary>
    public static void Save(Tandem.Modeling.ISeq2SeqModel model, string dir, bool safeSerialization, Action<string> saveConfig)
    {
        Directory.CreateDirectory(dir);
        saveConfig(dir);
        CheckpointWriter.Save(model.Module, dir, safeSerialization);
        WriteCommon(dir, safeSerialization, model.GenerationConfig, model.TokenizerSource);
    }

    /// <summary>Loads every weight of <paramref name="dir"/> into <paramref name="model"/> strictly (one error listing
    /// all missing, unexpected and wrong-shaped tensors) and returns the folder's generation defaults, if any.</summary>
    public static GenerationConfig? LoadWeightsStrict(TorchSharp.torch.nn.Module model, string dir)
    {
        using var weights = StateDict.FromFolder(dir);
        CheckpointLoader.Load(model, weights, dir).ThrowIfIncomplete(dir);
        var generation = Path.Combine(dir, GenerationConfigName);
        return File.Exists(generation) ? GenerationConfig.Load(generation) : null;
    }

    /// <summary>After the weights were written as <paramref name="safeSerialization"/> says: removes a stale weights
    /// file of the other format, writes <c>generation_config.json</c> and the tokenizer of <paramref name="tokenizerSource"/>
    /// (a WordPiece tokenizer is re-written whole: vocab.txt, tokenizer_config.json, special_tokens_map.json).</summary>
    public static void WriteCommon(string dir, bool safeSerialization, GenerationConfig generation, string? tokenizerSource)
    {
        var other = Path.Combine(dir, safeSerialization ? StateDictFiles.PytorchName : StateDictFiles.SafeTensorsName);
        if (File.Exists(other)) File.Delete(other);          // never leave two disagreeing weight files
        generation.Save(Path.Combine(dir, GenerationConfigName));
        if (tokenizerSource is not null) WriteTokenizer(dir, tokenizerSource);
    }

    /// <summary>Writes the tokenizer of <paramref name="tokenizerSource"/> into <paramref name="dir"/> (a WordPiece
    /// tokenizer is re-written whole; other tokenizer files are copied as they are). Nothing when both are the same
    /// folder.</summary>
    public static void WriteTokenizer(string dir, string tokenizerSource)
    {
        if (Path.GetFullPath(tokenizerSource) == Path.GetFullPath(dir)) return;
        if (!Directory.Exists(tokenizerSource))
            throw new TandemException($"{tokenizerSource}: the model's tokenizer folder no longer exists; the model folder would be written without its tokenizer");
        Directory.CreateDirectory(dir);
        if (File.Exists(Path.Combine(tokenizerSource, "vocab.txt")))
            WordPieceTokenizer.FromPretrained(tokenizerSource).SavePretrained(dir);
        else
            foreach (var name in OtherTokenizerFiles)
                if (File.Exists(Path.Combine(tokenizerSource, name)))
                    File.Copy(Path.Combine(tokenizerSource, name), Path.Combine(dir, name), overwrite: true);
    }
}
