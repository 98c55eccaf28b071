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

    /// <summary>Loaded under <see cref="CheckpointLoader.TakingFilePages"/>, a model's row-major parameters take the
    /// mapped file's pages (no copy): writing them leaves the file as it was, and saving the model over its own folder (a rename over the mapped file) keeps both the model
    /// and the new folder right.</summary>
    [Fact]
    public void ParametersThatTakeTheMappedPagesWriteNothingBackAndSaveOverTheirOwnFolder()
    {
        using var tmp = Paths.TempDir();
        var dir = tmp["model"];
        using (var original = ReferenceRuns.Load(Reference.Load(Reference.Plain).Dir)) original.SavePretrained(dir);
        Tandem.Models.EncoderDecoder.EncoderDecoderModel model;
        using (CheckpointLoader.TakingFilePages()) model = Tandem.Models.EncoderDecoder.EncoderDecoderModel.FromPretrained(dir);
        using var _ = model;
        const string key = "encoder.embeddings.word_embeddings.weight";
        var weight = model.state_dict()[key];
        var weights = Path.Combine(dir, "model.safetensors");
        if (OperatingSystem.IsLinux()) Assert.True(InFile(weight, weights), "the parameter did not take the file's pages");
        using (var copied = Tandem.Models.EncoderDecoder.EncoderDecoderModel.FromPretrained(dir))
            Assert.False(OperatingSystem.IsLinux() && InFile(copied.state_dict()[key], weights), "without the scope the parameter took the file's pages");
        using (var file = new StateDict(SafeTensors.Load(weights)))
            Assert.True(file.Tensors[key].equal(weight).all().item<bool>());
        using (no_grad()) weight.add_(1.0);
        using (var file = new StateDict(SafeTensors.Load(weights)))
            Assert.True(file.Tensors[key].add(1.0).equal(weight).all().item<bool>(), "the write reached the file");
        model.SavePretrained(dir);                                          // over the file the parameters map
        using var again = Tandem.Models.EncoderDecoder.EncoderDecoderModel.FromPretrained(dir);
        Assert.True(again.state_dict()[key].equal(weight).all().item<bool>(), "the saved folder lost the change");
        using var total = weight.sum();
        Assert.True(float.IsFinite(total.item<float>()));                  // the old mapping is still readable
    }

    /// <summary>Whether the data of <paramref name="t"/> lies in a mapping of <paramref name="file"/> (/proc/self/maps).</summary>
    static bool InFile(Tensor t, string file)
    {
        long at = Tandem.Native.TensorBlock.Address(t);
        foreach (var line in File.ReadLines("/proc/self/maps").Where(l => l.EndsWith(" " + Path.GetFullPath(file), StringComparison.Ordinal)))
        {
            var range = line.Split(' ')[0].Split('-');
            if (at >= Convert.ToInt64(range[0], 16) && at < Convert.ToInt64(range[1], 16)) return true;
        }
        return false;
    }
}
