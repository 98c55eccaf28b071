using Tandem.Checkpoints;
using Tandem.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Tests.Modeling;

public class LinearLayoutTests
{
    [Fact]
    public void WeightsHaveTheCheckpointShapeAreColumnMajorAndComputeXWtPlusB()
    {
        using var layer = new Linear(3, 5);
        using (no_grad()) layer.weight.copy_(arange(15, ScalarType.Float32).view(5, 3));
        Assert.Equal(new long[] { 5, 3 }, layer.weight.shape);
        Assert.False(layer.weight.is_contiguous());
        using var wt = layer.weight.t();
        Assert.True(wt.is_contiguous());                                                      // Wᵀ is the stored matrix
        using var x = tensor(new float[] { 1, 2, 3 }).view(1, 3);
        using var y = layer.forward(x);
        Assert.Equal(new float[] { 8, 26, 44, 62, 80 }, y.data<float>().ToArray());           // bias 0: rows of W · x
    }

    [Fact]
    public void ColumnMajorWeightsSaveAndLoadInBothFileFormats()
    {
        foreach (bool safe in new[] { true, false })
        {
            using var dir = new TestSupport.TempDir();
            using var layer = new Linear(64, 96);               // 6144 weights: libtorch copies blocks from 3600 on
            using (no_grad()) layer.weight.normal_();
            CheckpointWriter.Save(layer, dir.Path, safe);
            using var loaded = new Linear(64, 96);
            using var weights = StateDict.FromFolder(dir.Path);
            CheckpointLoader.Load(loaded, weights, dir.Path, new LoadOptions()).ThrowIfIncomplete(dir.Path);
            Assert.True(loaded.weight.allclose(layer.weight, rtol: 0, atol: 0), safe ? "safetensors" : "pytorch_model.bin");
        }
    }
}
