using Tandem.Cli;
using Tandem.Cli.Infrastructure;

FastMalloc.ReexecIfNeeded(args);
return TandemApp.Run(args);
