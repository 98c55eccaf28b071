using Tandem.Checkpoints;
using Tandem.Tests.TestSupport;
using Tandem.Training;
using Tandem.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tandem.Tests.Training;

/// <summary>The moving average of the weights: its arithmetic, swapping it in and out, and checkpoints.</summary>
[Collection(SequentialCollection.Name)]
public sealed class WeightAverageTests
{
    [Fact]
    public void FollowsTheWarmedUpDecayAndSwapsInAndOut()
    {
        using var w = new Parameter(tensor(new float[] { 0, 10 }));
        using var average = new WeightAverage([("w", w)], decay: 0.5);
        double expected0 = 0, expected1 = 10;
        for (int step = 1; step <= 4; step++)
        {
            using (no_grad()) w.copy_(tensor(new float[] { step, 10 + step }));
            average.Update(step);
            double d = Math.Min(0.5, (1.0 + step) / (10.0 + step));
            (expected0, expected1) = (d * expected0 + (1 - d) * step, d * expected1 + (1 - d) * (10 + step));
        }
        using (average.Apply())
        {
            var v = w.data<float>().ToArray();
            Assert.Equal(expected0, v[0], 5);
            Assert.Equal(expected1, v[1], 5);
        }
        Assert.Equal([4f, 14f], w.data<float>().ToArray());
    }

    [Fact]
    public void CheckpointsHoldTheAverageAndTheRawWeightsBeside()
    {
        using var tmp = Paths.TempDir();
        TinyTask.Write(tmp.Path, trainCount: 60, devCount: 4, hidden: 32);
        var result = Trainer.Run(TinyTask.Config(tmp.Path, "ema", "schedule.max_steps=5", "optimizer.ema_decay=0.99",
            "evaluation.every_steps=5", "evaluation.max_examples=4"));
        var dir = result.LastCheckpoint!;
        var averaged = StateDictFiles.Load(dir);
        var raw = SafeTensors.Load(Path.Combine(dir, WeightAverage.RawWeightsFile));
        var key = raw.Keys.First(k => k.EndsWith("query.weight", StringComparison.Ordinal));
        Assert.True(averaged.ContainsKey(key));
        Assert.False(averaged[key].allclose(raw[key]), "the saved model should be the average, not the raw weights");
        foreach (var t in averaged.Values.Concat(raw.Values)) t.Dispose();
    }
}
