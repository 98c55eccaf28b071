using Tandem.Cli;
using Tandem.Cli.Infrastructure;
using Tandem.Native;

OpenMPSpin.UseShortSpin();                                  // libtorch's OpenMP threads leave the cores to Tandem's kernels sooner
FastMalloc.ReexecIfNeeded(args);
if (!FastMalloc.Preloaded)                                   // glibc's malloc (README, Cold start):
{
    HugePages.UseForLibTorch();                             // huge pages for libtorch's big blocks
    GlibcMalloc.KeepFreedMemory();                          // freed blocks reused, not faulted in afresh at every step
}
return ShortProcess.End(args, TandemApp.Run(args));       // ask: no teardown after the answer
