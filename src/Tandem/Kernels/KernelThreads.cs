using static TorchSharp.torch;

namespace Tandem.Kernels;

/// <summary>The threads Tandem's own CPU kernels split their work over: libtorch's intra-op thread count
/// (<c>--threads</c>, <c>set_num_threads</c>), so a kernel uses the cores libtorch's operations around it use.</summary>
internal static class KernelThreads
{
    /// <summary>Options for <see cref="Parallel"/> with at most libtorch's thread count.</summary>
    public static ParallelOptions Options() => new() { MaxDegreeOfParallelism = Math.Max(1, get_num_threads()) };

    /// <summary>The threads a kernel on this thread may use: libtorch's count, or the count before
    /// <see cref="Modeling.DecodingThreads"/> lowered it to one for libtorch's small operations.</summary>
    public static int Allowed() => Math.Max(get_num_threads(), Modeling.DecodingThreads.Outer);
}
