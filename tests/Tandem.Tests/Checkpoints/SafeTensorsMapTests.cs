using Tandem.Checkpoints;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Checkpoints;

/// <summary><see cref="SafeTensors.Map"/> gives the tensors <see cref="SafeTensors.Load"/> reads: views of the mapped
/// file where a tensor's offset fits its element size, fresh tensors where it does not.</summary>
public class SafeTensorsMapTests
{
    [Fact]
    public void MappedTensorsEqualReadTensorsOfEveryDtypeAndOffset()
    {
        using var tmp = Paths.TempDir();
        var path = tmp["model.safetensors"];
        manual_seed(0);
        using (var matrix = randn(3, 5))
        using (var odd = tensor(new byte[] { 1, 2, 3 }))
        using (var afterOdd = randn(2, 2))                                // starts at an offset that is not a multiple of 4
        using (var ids = arange(4, dtype: ScalarType.Int64))
        using (var half = randn(3).to(ScalarType.BFloat16))
        using (var scalar = tensor(7.5f))
        using (var none = empty(0, 4))
            SafeTensors.Save(path, [new("matrix", matrix), new("odd", odd), new("after_odd", afterOdd), new("ids", ids),
                new("half", half), new("scalar", scalar), new("none", none)]);
        using var read = new StateDict(SafeTensors.Load(path));
        using var mapped = new StateDict(SafeTensors.Map(path));
        Assert.Equal(read.Tensors.Keys.Order(), mapped.Tensors.Keys.Order());
        foreach (var (name, expected) in read.Tensors)
        {
            using var scope = NewDisposeScope();
            var actual = mapped.Tensors[name];
            Assert.Equal(expected.dtype, actual.dtype);
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(expected.equal(actual).all().item<bool>(), name);
        }
    }

    [Fact]
    public void MappedTensorsStayValidWhenTheFileIsRenamed()
    {
        using var tmp = Paths.TempDir();
        var path = tmp["model.safetensors"];
        using (var t = arange(1000, dtype: ScalarType.Float32).view(10, 100)) SafeTensors.Save(path, [new("w", t)]);
        using var mapped = new StateDict(SafeTensors.Map(path));
        File.Move(path, tmp["moved.safetensors"]);                       // a rename keeps the mapping (as checkpoints are replaced)
        using var sum = mapped.Tensors["w"].sum();
        Assert.Equal(999 * 1000 / 2.0, sum.item<float>());
    }
}
