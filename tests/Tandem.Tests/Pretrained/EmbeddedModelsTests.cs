using Tandem.Pretrained;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Pretrained;

public class EmbeddedModelsTests
{
    [Fact]
    public void ConcurrentFirstUseGivesOneCompleteFolder()
    {
        Assert.All(MiniLm.ConcurrentResults, r => Assert.Equal(MiniLm.Dir, r));
        Assert.Equal(Path.Combine(MiniLm.Cache, "minilm-all-MiniLM-L6-v2"), MiniLm.Dir);
        // Only the published folder remains: the loser's temporary folder was removed (beside it, other tests may
        // have made onnx/, the exports tandem embed caches)
        Assert.Equal([MiniLm.Dir], Directory.EnumerateFileSystemEntries(MiniLm.Cache).Where(e => Path.GetFileName(e) != "onnx").ToArray());
    }

    [Fact]
    public void SecondUseReusesTheCache()
    {
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(MiniLm.Dir, "model.safetensors"));
        Assert.Equal(MiniLm.Dir, EmbeddedModels.Resolve("minilm", MiniLm.Cache));
        int conversions = EmbeddedModels.Conversions;
        Assert.Equal(MiniLm.Dir, EmbeddedModels.Resolve("minilm", MiniLm.Cache));
        Assert.Equal(conversions, EmbeddedModels.Conversions);            // no conversion the second time
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(MiniLm.Dir, "model.safetensors")));
    }

    [Fact]
    public void FolderIsReturnedAsIs()
    {
        using var tmp = Paths.TempDir();
        Assert.Equal(tmp.Path, EmbeddedModels.Resolve(tmp.Path));
    }

    [Fact]
    public void UnknownNameIsAnError()
    {
        var e = Assert.Throws<TandemException>(() => EmbeddedModels.Resolve("no-such-model-xyz"));
        Assert.Equal("model 'no-such-model-xyz' is neither a folder nor a known embedded model (minilm)", e.Message);
    }

    [Fact]
    public void CacheDirectoryPrefersTheOption()
    {
        Assert.Equal(Path.GetFullPath("/tmp/x-cache"), EmbeddedModels.CacheDirectory("/tmp/x-cache"));
        Assert.False(string.IsNullOrEmpty(EmbeddedModels.CacheDirectory()));
    }
}
