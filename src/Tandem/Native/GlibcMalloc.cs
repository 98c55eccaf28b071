using System.Runtime.InteropServices;

namespace Tandem.Native;

/// <summary>
/// glibc's malloc hands large freed blocks back to the kernel: a block above its mmap threshold (128 KiB at first,
/// raised as such blocks are freed) is unmapped when freed, and free memory at the top of the heap is trimmed. A
/// loop that allocates the same sizes at every step, as a decoding loop does (beam 4's logits alone are 0.5 MB a
/// step), then faults in fresh pages at every step, and on the project's VMs each fresh 4 KiB page costs a fault of
/// about 10 us. <see cref="KeepFreedMemory"/> raises both limits so freed blocks stay in the heap for the next step:
/// <c>tandem ask</c>'s 63 beam steps after the first token took 2,000-2,800 page faults instead of 5,800-7,000
/// (<c>TANDEM_TIMING=1</c>, five runs each). The price is that a process keeps its peak heap until it exits.
/// </summary>
public static class GlibcMalloc
{
    const int MmapThreshold = -3, TrimThreshold = -1;           // mallopt's M_MMAP_THRESHOLD and M_TRIM_THRESHOLD

    /// <summary>Blocks up to 32 MiB (glibc's largest mmap threshold) come from the heap, and the heap is trimmed only
    /// when 1 GiB at its top is free. Call it at the start of a process on glibc's malloc (not under a preloaded
    /// allocator such as tcmalloc, which keeps freed memory anyway); returns whether glibc took both settings. On
    /// other systems than Linux it does nothing.</summary>
    public static bool KeepFreedMemory()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try { return mallopt(MmapThreshold, 32 << 20) == 1 & mallopt(TrimThreshold, 1 << 30) == 1; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    [DllImport("libc")]
#pragma warning disable SYSLIB1054 // a plain int call; no marshalling to generate
    static extern int mallopt(int param, int value);
#pragma warning restore SYSLIB1054
}
