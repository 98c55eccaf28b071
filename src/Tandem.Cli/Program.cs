using Tandem.Cli;
using Tandem.Cli.Infrastructure;
using Tandem.Native;

FastMalloc.ReexecIfNeeded(args);
if (!FastMalloc.Preloaded) HugePages.UseForLibTorch();      // glibc's malloc: huge pages for libtorch's big blocks (README)
return TandemApp.Run(args);
