using Tandem.Benchmarks.Workloads;
using static TorchSharp.torch;

namespace Tandem.Benchmarks;

/// <summary>
/// Every figure of <c>tandem bench</c>, in table order. The shapes are the project's reference workloads: training
/// steps of 16 pairs (source 32, target 64 tokens), generation from 32 source tokens with exactly 64 new tokens,
/// the encoder on 32 x 128 and 1 x 32 tokens; and how the cost grows with the work (output length, sequence length,
/// batch size). <see cref="FigureContext.Quick"/> runs each with the fewest repetitions that still time it.
/// </summary>
public static class FigureCatalog
{
    const string Fp32Peak = "matmul_peak_fp32_gflops", Bf16Peak = "matmul_peak_bf16_gflops";
    const string OrtB32 = "encoder_b32x128_ort_seq_per_s", OrtB1 = "encoder_b1x32_ort_ms";
    const int Source = 32, Target = 64, NewTokens = 64, TrainBatch = 16;

    /// <summary>All figures.</summary>
    public static IReadOnlyList<Figure> All { get; } =
    [
        new(Fp32Peak, "GFLOP/s", "2048x2048 matmul, float32", c => Peak(c, ScalarType.Float32)),
        new(Bf16Peak, "GFLOP/s", "2048x2048 matmul, bfloat16", c => Peak(c, ScalarType.BFloat16)),
        Train("train_fp32_ms_per_step", ScalarType.Float32, Fp32Peak, null),
        Train("train_bf16_ms_per_step", ScalarType.BFloat16, Bf16Peak, "train_fp32_ms_per_step"),
        Products("train_fp32_products_ms", ScalarType.Float32, Fp32Peak, "train_fp32_ms_per_step"),
        Products("train_bf16_products_ms", ScalarType.BFloat16, Bf16Peak, "train_bf16_ms_per_step"),
        Greedy("greedy_b1_tokens_per_s", 1, 1, null),
        Greedy("greedy_b8_tokens_per_s", 8, 1, "greedy_b1_tokens_per_s"),
        Greedy("beam4_b1_tokens_per_s", 1, 4, null),
        Greedy("greedy_b1_bf16_tokens_per_s", 1, 1, "greedy_b1_tokens_per_s", ScalarType.BFloat16),
        Greedy("greedy_b8_bf16_tokens_per_s", 8, 1, "greedy_b8_tokens_per_s", ScalarType.BFloat16),
        Greedy("beam4_b1_bf16_tokens_per_s", 1, 4, "beam4_b1_tokens_per_s", ScalarType.BFloat16),
        PerToken("greedy_b1_ms_per_token_64", 64, null),
        PerToken("greedy_b1_ms_per_token_256", 256, "greedy_b1_ms_per_token_64"),
        EncoderRate(OrtB32, "ONNX Runtime on all-MiniLM-L6-v2's own ONNX graph, 32 x 128 tokens, float32 (the baseline)", 32, 128,
            c => OnnxEncoderForward.Reference(32, 128, 1, c.Quick ? 1 : 5), Fp32Peak, null),
        Encoder("encoder_b32x128_seq_per_s", 32, 128, ScalarType.Float32, Fp32Peak, OrtB32),
        Encoder("encoder_b32x128_bf16_seq_per_s", 32, 128, ScalarType.BFloat16, Bf16Peak, OrtB32),
        EncoderRate("encoder_b32x128_onnx_seq_per_s", "Tandem's ONNX export in ONNX Runtime, 32 x 128 tokens, float32 (`tandem embed`'s default path)", 32, 128,
            c => OnnxEncoderForward.Exported(32, 128, 1, c.Quick ? 1 : 5), Fp32Peak, OrtB32),
        EncoderLatency(OrtB1, "ONNX Runtime on all-MiniLM-L6-v2's own ONNX graph, 1 x 32 tokens, float32 (the baseline)",
            c => OnnxEncoderForward.Reference(1, 32, 5, c.Quick ? 3 : 30), Fp32Peak, null),
        EncoderLatency("encoder_b1x32_ms", "encoder forward, 1 x 32 tokens, float32",
            c => EncoderForward.Time(1, 32, ScalarType.Float32, c.Quick ? 2 : 5, c.Quick ? 3 : 30), Fp32Peak, OrtB1),
        EncoderLatency("encoder_b1x32_bf16_ms", "encoder forward, 1 x 32 tokens, bf16 (`tandem embed --precision bf16`)",
            c => EncoderForward.Time(1, 32, ScalarType.BFloat16, c.Quick ? 2 : 5, c.Quick ? 3 : 30), Bf16Peak, OrtB1),
        EncoderLatency("encoder_b1x32_onnx_ms", "Tandem's ONNX export in ONNX Runtime, 1 x 32 tokens, float32 (`tandem embed`'s default path)",
            c => OnnxEncoderForward.Exported(1, 32, 5, c.Quick ? 3 : 30), Fp32Peak, OrtB1),
        EncoderLatency("encoder_b1x32_bf16_products_ms", "the bf16 1 x 32 encoder pass's matrix products alone: its floor",
            c => MatmulFloor.Time(MatmulFloor.Encoder(1, 32), ScalarType.BFloat16, backward: false, 5, c.Quick ? 3 : 30), Bf16Peak, "encoder_b1x32_bf16_ms"),
        Encoder("encoder_seq_per_s_32", 8, 32, ScalarType.Float32, Fp32Peak, null),
        Encoder("encoder_seq_per_s_128", 8, 128, ScalarType.Float32, Fp32Peak, "encoder_seq_per_s_32"),
        Encoder("encoder_seq_per_s_512", 8, 512, ScalarType.Float32, Fp32Peak, "encoder_seq_per_s_32"),
        TrainTokens("train_tokens_per_s_b4", 4, null),
        TrainTokens("train_tokens_per_s_b16", 16, "train_tokens_per_s_b4"),
        TrainTokens("train_tokens_per_s_b32", 32, "train_tokens_per_s_b4"),
        new("ask_cold_fp32_s", "s", "fresh `tandem ask --precision fp32` process, first answer (beam 4, 32 -> 64 tokens)",
            c => new(AskCold.Time(c.StartTandem, c.Quick ? 1 : 3, "fp32"))),
        new("ask_cold_s", "s", "fresh `tandem ask` process (default precision), first answer (beam 4, 32 -> 64 tokens)",
            c => new(AskCold.Time(c.StartTandem, c.Quick ? 1 : 3))) { Baseline = "ask_cold_fp32_s" },
    ];

    /// <summary>The figure named <paramref name="name"/>.</summary>
    /// <exception cref="TandemException">No figure has that name (the message lists them).</exception>
    public static Figure Find(string name) => All.FirstOrDefault(f => f.Name == name)
        ?? throw new TandemException($"no figure '{name}'; figures: {string.Join(", ", All.Select(f => f.Name))}");

    static Measurement Peak(FigureContext c, ScalarType dtype)
    {
        double g = MatmulPeak.Gflops(dtype, c.Quick ? 2 : 8);
        return new(g, g);
    }

    static Figure Train(string name, ScalarType dtype, string peak, string? baseline) =>
        new(name, "ms/step", $"training step B{TrainBatch}, {Source} -> {Target} tokens, {Precision(dtype)}", c =>
        {
            var t = TrainingStep.Time(dtype, TrainBatch, Source, Target, c.Quick ? 1 : 2, c.Quick ? 1 : 5);
            return new(t.Seconds * 1000, MatmulFlops.TrainStep(TrainBatch, Source, Target) / t.Seconds / 1e9);
        }) { Peak = peak, Baseline = baseline };

    static Figure Products(string name, ScalarType dtype, string peak, string step) =>
        new(name, "ms", $"the {Precision(dtype)} step's matrix products alone (its shapes, forward and backward): its floor", c =>
        {
            double s = MatmulFloor.Time(MatmulFloor.Training(TrainBatch, Source, Target), dtype, backward: true, 1, c.Quick ? 1 : 5);
            return new(s * 1000, MatmulFlops.TrainStep(TrainBatch, Source, Target) / s / 1e9);
        }) { Peak = peak, Baseline = step };

    static Figure TrainTokens(string name, int batch, string? baseline) =>
        new(name, "tokens/s", $"training, B{batch}, {Source} -> {Target} tokens, bf16 (target tokens)", c =>
        {
            var t = TrainingStep.Time(ScalarType.BFloat16, batch, Source, Target, c.Quick ? 1 : 2, c.Quick ? 1 : 4);
            return new(batch * Target / t.Seconds, MatmulFlops.TrainStep(batch, Source, Target) / t.Seconds / 1e9);
        }) { Peak = Bf16Peak, Baseline = baseline };

    static Figure Greedy(string name, int batch, int beams, string? baseline, ScalarType dtype = ScalarType.Float32) =>
        new(name, "tokens/s", $"{(beams == 1 ? "greedy" : $"beam {beams}")}, batch {batch}, {Source} -> {NewTokens} new tokens, cached, {Precision(dtype)}", c =>
        {
            double s = Decoding.Time(batch, beams, Source, NewTokens, c.Quick ? 1 : 3, dtype);
            return new(batch * NewTokens / s, MatmulFlops.Generation(batch, batch * beams, Source, NewTokens) / s / 1e9);
        }) { Peak = dtype == ScalarType.Float32 ? Fp32Peak : Bf16Peak, Baseline = baseline };

    static Figure PerToken(string name, int newTokens, string? baseline) =>
        new(name, "ms/token", $"greedy, batch 1, {Source} -> {newTokens} new tokens, cached", c =>
        {
            double s = Decoding.Time(1, 1, Source, newTokens, c.Quick ? 1 : 3);
            return new(s * 1000 / newTokens, MatmulFlops.Generation(1, 1, Source, newTokens) / s / 1e9);
        }) { Peak = Fp32Peak, Baseline = baseline };

    static Figure Encoder(string name, int batch, int length, ScalarType dtype, string peak, string? baseline) =>
        EncoderRate(name, $"encoder forward, {batch} x {length} tokens, {Precision(dtype)}", batch, length,
            c => EncoderForward.Time(batch, length, dtype, 1, c.Quick ? 1 : 5), peak, baseline);

    /// <summary>An encoder pass of <paramref name="batch"/> x <paramref name="length"/> tokens as sequences per second,
    /// <paramref name="seconds"/> timing one pass.</summary>
    static Figure EncoderRate(string name, string description, int batch, int length, Func<FigureContext, double> seconds, string peak, string? baseline) =>
        new(name, "seq/s", description, c =>
        {
            double s = seconds(c);
            return new(batch / s, MatmulFlops.Encoder(batch, length) / s / 1e9);
        }) { Peak = peak, Baseline = baseline };

    /// <summary>An encoder pass of 1 x 32 tokens as its latency in milliseconds, <paramref name="seconds"/> timing one pass.</summary>
    static Figure EncoderLatency(string name, string description, Func<FigureContext, double> seconds, string peak, string? baseline) =>
        new(name, "ms", description, c =>
        {
            double s = seconds(c);
            return new(s * 1000, MatmulFlops.Encoder(1, 32) / s / 1e9);
        }) { Peak = peak, Baseline = baseline };

    static string Precision(ScalarType dtype) => dtype == ScalarType.Float32 ? "float32" : "bf16";
}
