using System.CommandLine;
using Tandem.Checkpoints.Onnx;
using Tandem.Cli.Infrastructure;

namespace Tandem.Cli.Commands;

/// <summary><c>tandem convert onnx-bert</c>: a BERT that PyTorch exported to ONNX, back into a Hugging Face folder.</summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var onnx = new Option<string>("--onnx") { Description = "The ONNX file of a BERT encoder", Required = true };
        var vocab = new Option<string>("--vocab") { Description = "Its WordPiece vocab.txt", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Folder to create (must not exist)", Required = true };
        var onnxBert = new Command("onnx-bert", "Convert a BERT ONNX graph + vocab.txt into a Hugging Face checkpoint folder") { onnx, vocab, output };
        onnxBert.SetHandler(parse =>
        {
            var config = OnnxBertConverter.Convert(parse.GetValue(onnx)!, parse.GetValue(vocab)!, parse.GetValue(output)!);
            Console.Out.WriteLine($"wrote {parse.GetValue(output)}: BERT, {config.NumHiddenLayers} layers, hidden {config.HiddenSize}, {config.NumAttentionHeads} heads, vocab {config.VocabSize}");
            return 0;
        });
        var model = new Option<string>("--model", "-m") { Description = "A BERT or RoBERTa encoder folder, or minilm (embedded all-MiniLM-L6-v2)", Required = true };
        var file = new Option<string>("--out", "-o") { Description = "The ONNX file to write (must not exist)", Required = true };
        var toOnnx = new Command("to-onnx", "Export an encoder to ONNX (inputs input_ids, attention_mask[, token_type_ids]; output last_hidden_state) with ONNX Runtime's fused operators") { model, file, CommonOptions.CacheDir };
        toOnnx.SetHandler(parse =>
        {
            var path = parse.GetValue(file)!;
            var config = OnnxExport.Write(parse.GetValue(model)!, parse.GetValue(CommonOptions.CacheDir), path);
            Console.Out.WriteLine($"wrote {path}: {config.ModelType} encoder, {config.NumLayers} layers, hidden {config.HiddenSize} ({new FileInfo(path).Length / (1 << 20)} MiB)");
            return 0;
        });
        return new Command("convert", "Convert checkpoints from and to other formats") { onnxBert, toOnnx };
    }
}
