using Sparkify.Cli;

return await SparkifyCommandLine.InvokeAsync(args);
