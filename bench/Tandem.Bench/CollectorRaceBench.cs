using System.Diagnostics;
using System.Globalization;
using Tandem.Generation;
using Tandem.Models.Bert;
using Tandem.Models.EncoderDecoder;
using static TorchSharp.torch;

namespace Tandem.Bench;

/// <summary>
/// Greedy decoding on a tiny BERT2BERT while another thread runs .NET collections and finalizers back to back: the
/// race <c>Tandem.Native.Scalars</c> closes (a TorchSharp scalar made on the spot, finalized while libtorch reads it).
/// Prints the generations, the ones that failed and the first error. Code that makes such scalars fails a few
/// generations a minute here ("Expected false to be true, but got false"); Tandem's decoding should fail none.
/// </summary>
internal static class CollectorRaceBench
{
    public static void Run(string[] args)
    {
        int seconds = BenchArgs.Int(args, "--seconds", 60);
        manual_seed(1);
        var half = new BertConfig { VocabSize = 200, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 2, IntermediateSize = 64 };
        using var model = new EncoderDecoderModel(new EncoderDecoderConfig
            { Encoder = half, Decoder = half.Clone(), DecoderStartTokenId = 101, EosTokenId = 199, PadTokenId = 0 });
        model.eval();
        var config = new GenerationConfig { MaxNewTokens = 32, NumBeams = 1, DecoderStartTokenId = 101, EosTokenId = [199], PadTokenId = 0 };
        using var ids = randint(1, 199, [2, 12], dtype: ScalarType.Int64);
        using var mask = ones_like(ids);

        long collections = 0;
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested) { GC.Collect(0); GC.WaitForPendingFinalizers(); collections++; }
        }) { IsBackground = true };
        collector.Start();
        long runs = 0, failed = 0;
        string? first = null;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            try
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                Tandem.Generation.Generator.Generate(model, ids, mask, config, useCache: true);
            }
            catch (Exception e) { failed++; first ??= e.Message.Split('\n')[0]; }
            runs++;
        }
        stop.Cancel();
        collector.Join();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{runs} generations in {clock.Elapsed.TotalSeconds:F0} s beside {collections} collections: {failed} failed{(first is null ? "" : $" (first: {first})")}"));
    }
}
