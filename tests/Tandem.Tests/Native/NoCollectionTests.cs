using System.Runtime;
using Tandem.Native;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Native;

/// <summary>The region is process-wide, so these run alone (another test's allocations would count against it).</summary>
[Collection(SequentialCollection.Name)]
public class NoCollectionTests : IDisposable
{
    readonly bool _enabled = NoCollection.Enabled;

    public NoCollectionTests() => NoCollection.Enabled = true;

    public void Dispose() => NoCollection.Enabled = _enabled;

    static void Garbage(long bytes)
    {
        for (long done = 0; done < bytes; done += 1024) _ = new byte[1024];
    }

    [Fact]
    public void NoCollectionRunsInsideARegionAndTheRegionEndsWithIt()
    {
        using (NoCollection.Enter())
        {
            Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
            int gen0 = GC.CollectionCount(0);
            Garbage(16L << 20);                                   // far past a gen0 budget of its own
            Assert.Equal(gen0, GC.CollectionCount(0));
        }
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void TurnedOffEnterOpensNoRegion()
    {
        NoCollection.Enabled = false;
        using (NoCollection.Enter()) Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void NestedRegionsHoldUntilTheOutermostEnds()
    {
        var outer = NoCollection.Enter();
        var inner = NoCollection.Enter();
        inner.Dispose();
        Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        inner.Dispose();                                          // a second dispose changes nothing
        Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        outer.Dispose();
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void AnotherThreadsRegionDoesNotOutliveTheOwners()
    {
        var owner = NoCollection.Enter();
        NoCollection? other = null;
        var thread = new Thread(() => other = NoCollection.Enter());
        thread.Start();
        thread.Join();
        owner.Dispose();                                          // collections resume though the other is still open
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        other!.Dispose();
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        using (NoCollection.Enter()) Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void ARegionThatAllocatesPastItsBudgetStillEndsCleanlyAndTheNextOpens()
    {
        // .NET may end a region early when it allocates past the budget (counted in Overruns) or let it run on (.NET
        // 10's regions do): either way closing it restores collections and the next region opens
        long before = NoCollection.Overruns;
        using (NoCollection.Enter()) Garbage(NoCollection.Budget + (16L << 20));
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        Assert.InRange(NoCollection.Overruns - before, 0, 1);
        using (NoCollection.Enter()) Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }
}
