using Sparkify.Cli;

return await SparkifyCommandLine.Build().Parse(args).InvokeAsync();
