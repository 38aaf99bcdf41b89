using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Sparkify.Pipeline.Hosting;

/// <summary>
/// A worker's Main: <c>--health</c> answers the container health check; otherwise the host runs until it is done
/// (once mode), stopped (SIGTERM: drain, exit 0) or gives up (one log line, non-zero exit code).
/// </summary>
public static class WorkerRunner
{
    public static async Task<int> RunAsync(string[] args, Action<HostApplicationBuilder> configure)
    {
        var applicationName = Assembly.GetEntryAssembly()?.GetName().Name ?? "worker";
        if (HealthCommand.IsRequested(args))
        {
            return HealthCommand.Run(applicationName, Console.Out);
        }

        IHost host;
        try
        {
            var builder = Host.CreateApplicationBuilder(args);
            builder.AddWorkerDefaults();
            configure(builder);
            host = builder.Build();
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException or FormatException)
        {
            LogWithoutHost(args, applicationName, exception.Message);
            return WorkerExitCodes.Misconfigured;
        }

        using (host)
        {
            var exit = host.Services.GetRequiredService<WorkerExit>();
            try
            {
                await host.StartAsync();
                await host.WaitForShutdownAsync();
            }
            catch (OperationCanceledException)
            {
                // Stopped while starting (SIGTERM while waiting for a dependency): nothing to drain.
            }
            catch (OptionsValidationException exception)
            {
                exit.GiveUp("invalid configuration: " + string.Join("; ", exception.Failures), WorkerExitCodes.Misconfigured);
            }
            catch (FatalWorkerException exception)
            {
                exit.GiveUp(exception.Message, exception.ExitCode);
            }
            catch (Exception exception)
            {
                exit.GiveUp(TransientFaults.Describe(exception), WorkerExitCodes.Misconfigured);
            }
            return exit.Code;
        }
    }

    /// <summary>Before the host exists there is no logger of its own: one with the same logging configuration says why.</summary>
    private static void LogWithoutHost(string[] args, string applicationName, string reason)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
        using var loggers = LoggerFactory.Create(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddConsole());
        loggers.CreateLogger(applicationName).LogCritical("{Application} cannot start (exit code {ExitCode}): {Reason}",
            applicationName, WorkerExitCodes.Misconfigured, reason);
    }
}
