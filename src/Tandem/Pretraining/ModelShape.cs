using System.Text.Json.Nodes;
using Tandem.Tokenization;
using Tandem.Tokenization.Training;
using Tandem.Training;

namespace Tandem.Pretraining;

/// <summary>
/// The "shape folder" of a BERT pre-trained from scratch: a pre-trained model's <c>config.json</c> (its depth and width)
/// with a new vocabulary trained on the corpus, and that vocabulary's tokenizer beside it. <c>random:&lt;shape&gt;/config.json</c>
/// is then both the model the pre-training starts from and the random twin of the pre-trained model (the same shape
/// and vocabulary, no pre-training), since a <c>random:</c> side reads the tokenizer beside its config.
/// </summary>
public static class ModelShape
{
    /// <summary>Trains a WordPiece vocabulary on <paramref name="corpusFiles"/> into <paramref name="shapeDir"/> and writes
    /// <paramref name="baseModelDir"/>'s <c>config.json</c> there with that vocabulary's size and padding id, as a
    /// masked LM. Returns the tokenizer. An earlier shape in <paramref name="shapeDir"/> (an experiment run again in its
    /// run folder) is replaced: the vocabulary is a function of the corpus and the options.</summary>
    public static WordPieceTokenizer Create(string baseModelDir, IReadOnlyList<string> corpusFiles, VocabularyTrainingOptions vocabulary, string shapeDir)
    {
        if (Directory.Exists(shapeDir)) Directory.Delete(shapeDir, recursive: true);
        var tokenizer = WordPieceTrainer.TrainAndSave(corpusFiles, vocabulary, shapeDir);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(baseModelDir, "config.json")))!.AsObject();
        config["vocab_size"] = tokenizer.VocabSize;
        config["pad_token_id"] = tokenizer.PadTokenId;
        config["architectures"] = new JsonArray("BertForMaskedLM");
        AtomicFile.WriteAllText(ConfigPath(shapeDir), config.ToJsonString(new() { WriteIndented = true }) + "\n");
        return tokenizer;
    }

    /// <summary>The shape's <c>config.json</c>; <c>random:</c> before it names a fresh model of the shape.</summary>
    public static string ConfigPath(string shapeDir) => Path.Combine(shapeDir, "config.json");
}
