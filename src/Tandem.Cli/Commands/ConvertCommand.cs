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
        return new Command("convert", "Convert checkpoints from other formats") { onnxBert };
    }
}
