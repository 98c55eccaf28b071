using System.CommandLine;
using System.Text.Json;
using Tandem.Cli.Infrastructure;
using Tandem.Embeddings;
using Tandem.Pipelines;

namespace Tandem.Cli.Commands;

/// <summary><c>tandem embed</c>: sentence embeddings, one JSON line per input.</summary>
internal static class EmbedCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model("A BERT or RoBERTa checkpoint folder, or minilm (embedded all-MiniLM-L6-v2)");
        model.DefaultValueFactory = _ => "minilm";
        model.Required = false;
        var texts = CommonOptions.Texts("texts", "Sentences to embed (else --file, else standard input)");
        var file = new Option<string?>("--file", "-f") { Description = "Read inputs from this file, one per line (- for stdin)" };
        var batch = new Option<int>("--batch-size") { Description = "Sentences per forward pass", DefaultValueFactory = _ => 32 };
        var precision = CommonOptions.Precision("fp32");
        var runtime = new Option<string>("--runtime")
        {
            Description = "What runs the encoder: onnx (ONNX Runtime, float32, on the encoder's ONNX export, made on first use and kept under onnx/ in the cache folder), libtorch, or auto: onnx for fp32 products, libtorch for bf16",
            DefaultValueFactory = _ => "auto",
        };
        runtime.AcceptOnlyFromAmong(EncoderRuntimes.Names);
        var command = new Command("embed", "Print mean-pooled, L2-normalised sentence embeddings: {\"text\": ..., \"embedding\": [...]} per line")
        {
            model, texts, file, batch, precision, runtime, CommonOptions.CacheDir,
        };
        command.SetHandler(parse =>
        {
            var inputs = TextSources.Read(parse.GetValue(texts), parse.GetValue(file));
            var products = Tandem.Modeling.Autocast.ForCpuInference(parse.GetValue(precision)!);
            var chosen = EncoderRuntimes.Choose(parse.GetValue(runtime)!, products);
            if (chosen == EncoderRuntime.Onnx && products is not null)
                Console.Error.WriteLine("warning: ONNX Runtime computes in float32; --precision bf16 applies to --runtime libtorch");
            using var scope = Tandem.Modeling.Autocast.Enter(chosen == EncoderRuntime.LibTorch ? products : null);
            using var embedder = TextEmbedder.Load(parse.GetValue(model)!, parse.GetValue(CommonOptions.CacheDir), chosen);
            int i = 0;
            foreach (var vector in embedder.Embed(inputs, parse.GetValue(batch), Console.Error.WriteLine))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["text"] = inputs[i++], ["embedding"] = vector }));
            }
            return 0;
        });
        return command;
    }
}
