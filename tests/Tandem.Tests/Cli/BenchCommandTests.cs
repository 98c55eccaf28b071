using System.Text.Json;
using System.Text.Json.Nodes;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Cli;

public class BenchCommandTests
{
    [Fact]
    public void JsonHoldsEveryChosenFigureAsAPositiveNumberWithItsMemoryAndShareOfThePeak()
    {
        var r = CliRunner.Run("bench", "--json", "--quick", "--figures", "encoder_b1x32_ms");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var json = JsonNode.Parse(r.Stdout)!.AsObject();
        // encoder_b1x32_ms is compared with the float32 matmul peak and with ONNX Runtime on all-MiniLM-L6-v2's own
        // graph, which the run therefore measures too
        foreach (var key in new[] { "encoder_b1x32_ms", "matmul_peak_fp32_gflops", "encoder_b1x32_ort_ms" })
        {
            Assert.Equal(JsonValueKind.Number, json[key]!.GetValueKind());
            Assert.True(json[key]!.GetValue<double>() > 0, key);
            Assert.True(json["peak_rss_mib"]![key]!.GetValue<double>() > 100, key);   // libtorch alone is more
        }
        double share = json["percent_of_peak"]!["encoder_b1x32_ms"]!.GetValue<double>();
        Assert.True(share > 0, share.ToString());
        Assert.Equal("ms", json["units"]!["encoder_b1x32_ms"]!.GetValue<string>());
        double speed = json["speed_vs_baseline"]!["encoder_b1x32_ms"]!.GetValue<double>();
        double expected = json["encoder_b1x32_ort_ms"]!.GetValue<double>() / json["encoder_b1x32_ms"]!.GetValue<double>();
        Assert.InRange(speed, expected * 0.999, expected * 1.001);                // above 1: faster than the baseline
        Assert.Null(json["errors"]);
        Assert.Null(json["train_bf16_ms_per_step"]);                          // not chosen
    }

    [Fact]
    public void AnUnknownFigureIsOneLineListingTheFigures()
    {
        var r = CliRunner.Run("bench", "--figures", "greedy_b3_tokens_per_s");
        CliRunner.AssertOneLineError(r, "no figure 'greedy_b3_tokens_per_s'", "greedy_b1_tokens_per_s");
    }
}
