using Tandem.Cli;
using Tandem.Cli.Infrastructure;
using Tandem.Native;

FastMalloc.ReexecIfNeeded(args);
if (!FastMalloc.Preloaded)                                   // glibc's malloc (README, Cold start):
{
    HugePages.UseForLibTorch();                             // huge pages for libtorch's big blocks
    GlibcMalloc.KeepFreedMemory();                          // freed blocks reused, not faulted in afresh at every step
}
return ShortProcess.End(args, TandemApp.Run(args));       // ask: no teardown after the answer
