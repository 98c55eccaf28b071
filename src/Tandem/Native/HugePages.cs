namespace Tandem.Native;

/// <summary>
/// How libtorch's CPU allocator gets its memory in this process. It matters most to a process that loads a model,
/// answers and exits (<c>tandem ask</c>): every parameter and every first activation lands on fresh pages, and on the
/// project's VMs each fresh 4 KiB page costs a fault into the hypervisor.
/// </summary>
public static class HugePages
{
    /// <summary>The variable libtorch's CPU allocator reads once, at its first allocation: with it, a block of
    /// 2 MiB or more is aligned to 2 MiB and advised as a transparent huge page (<c>madvise(MADV_HUGEPAGE)</c>).</summary>
    public const string Variable = "THP_MEM_ALLOC_ENABLE";

    /// <summary>
    /// Sets <see cref="Variable"/> to 1 in this process's environment unless it is set already (a user's 0
    /// keeps it off), so that tensors of 2 MiB and more are backed by transparent huge pages where the kernel allows
    /// them (<c>/sys/kernel/mm/transparent_hugepage/enabled</c> "madvise" or "always"): one fault per 2 MiB instead of
    /// 512. Call it before libtorch's first allocation (at the start of <c>Main</c>) and before other threads read the
    /// environment: <c>setenv</c> is not thread-safe. Returns whether the variable is on. On other systems than Linux
    /// it does nothing. It pays where freed memory goes back to the kernel (glibc's malloc, a process that loads a
    /// model and answers); under an allocator that keeps freed memory (tcmalloc in a training loop) measure first.
    /// </summary>
    public static bool UseForLibTorch() =>
        OperatingSystem.IsLinux() && NativeEnvironment.SetDefault(Variable, "1") is "1" or "true" or "ON" or "on";
}
