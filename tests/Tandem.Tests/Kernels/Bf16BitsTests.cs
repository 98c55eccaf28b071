using System.Runtime.InteropServices;
using Tandem.Kernels;
using static TorchSharp.torch;

namespace Tandem.Tests.Kernels;

public class Bf16BitsTests
{
    /// <summary>Rounding float32 values to bf16 gives libtorch's bits: ties to even, overflow to infinity, signed zeros,
    /// subnormals, infinities and NaN (as a NaN), in the vector loop at both widths and the scalar tail, and one value
    /// at a time.</summary>
    [Fact]
    public void RoundsAsLibtorchDoes()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        float[] special =
        [
            0f, -0f, 1f, -1f, float.MaxValue, float.MinValue, float.Epsilon, -float.Epsilon, 1e-40f,
            float.PositiveInfinity, float.NegativeInfinity,
            BitConverter.Int32BitsToSingle(0x3F808000), BitConverter.Int32BitsToSingle(0x3F818000),  // exact ties: to even
            BitConverter.Int32BitsToSingle(0x3F808001), BitConverter.Int32BitsToSingle(0x3F80FFFF),
        ];
        var values = cat([tensor(special), randn(1000) * 1e3, randn(37) * 1e-30]).data<float>().ToArray(); // a tail after whole vectors
        var bits = new ushort[values.Length];

        var expected = MemoryMarshal.Cast<byte, ushort>(tensor(values).to(ScalarType.BFloat16).bytes).ToArray();
        Bf16Bits.Round(values, bits);
        Assert.Equal(expected, bits);
        Bf16Bits.Round<LanesVector>(values, bits = new ushort[values.Length]);                  // both widths, whichever runs here
        Assert.Equal(expected, bits);
        Bf16Bits.Round<Lanes512>(values, bits = new ushort[values.Length]);
        Assert.Equal(expected, bits);
        Assert.Equal(expected, values.Select(Bf16Bits.ToBf16).ToArray());
        var nan = new ushort[1];
        Bf16Bits.Round([float.NaN], nan);
        Assert.True(float.IsNaN(Bf16Bits.ToFloat(nan[0])));
    }

    /// <summary>Widening gives libtorch's float32 of every bf16 value, exactly, in the vector loop at both widths and the
    /// tail.</summary>
    [Fact]
    public void WidensExactly()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        var bf16 = cat([randn(1000) * 1e3, tensor(new[] { float.PositiveInfinity, float.NaN, -0f }), randn(21) * 1e-30]).to(ScalarType.BFloat16);
        var bits = MemoryMarshal.Cast<byte, ushort>(bf16.bytes).ToArray();
        var values = new float[bits.Length];

        var expected = bf16.to(ScalarType.Float32).data<float>().ToArray().Select(BitConverter.SingleToInt32Bits);
        Bf16Bits.Widen(bits, values);
        Assert.Equal(expected, values.Select(BitConverter.SingleToInt32Bits));
        Bf16Bits.Widen<LanesVector>(bits, values = new float[bits.Length]);
        Assert.Equal(expected, values.Select(BitConverter.SingleToInt32Bits));
        Bf16Bits.Widen<Lanes512>(bits, values = new float[bits.Length]);
        Assert.Equal(expected, values.Select(BitConverter.SingleToInt32Bits));
    }
}
