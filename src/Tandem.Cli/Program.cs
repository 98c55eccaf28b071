using Tandem.Cli;
using Tandem.Cli.Infrastructure;

if (FastMalloc.ReexecIfNeeded(args) is { } childExit) return childExit;
return TandemApp.Build().Parse(args).Invoke();
