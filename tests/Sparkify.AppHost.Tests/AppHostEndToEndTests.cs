using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Sparkify.Testing;

namespace Sparkify.AppHost.Tests;

/// <summary>The whole system as the AppHost wires it: local PostgreSQL, fauxqs, Ingest and Transform, on the real sample.</summary>
public sealed class AppHostEndToEndTests
{
    [Fact]
    public async Task The_apphost_migrates_once_before_the_workers_and_loads_the_sample_through_the_pipeline_to_the_expected_counts()
    {
        var state = Directory.CreateTempSubdirectory("sparkify-apphost-");
        // The local PostgreSQL runs as the postgres user when tests run as root: it must reach its data folder.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(state.FullName, (UnixFileMode)0b111_101_101);
        }
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Sparkify_AppHost>(
            [
                $"--Sparkify:DataFolder={SampleData.Folder}",
                $"--Sparkify:StateDirectory={state.FullName}",
                "--Sparkify:Bucket=sparkify-e2e",
                "ConnectionStrings:warehouse=",
            ]);
            foreach (var project in builder.Resources.OfType<ProjectResource>())
            {
                // No dashboard in tests: an OTLP exporter with nowhere to send stalls shutdown.
                builder.CreateResourceBuilder(project).WithEnvironment(context => context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT"));
            }
            await using var app = await builder.BuildAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            await app.StartAsync(timeout.Token);

            var warehouse = builder.Resources.OfType<IResourceWithConnectionString>().Single(r => r.Name == "warehouse");
            var connectionString = new NpgsqlConnectionStringBuilder((await warehouse.GetConnectionStringAsync(timeout.Token))!);
            await using var dataSource = NpgsqlDataSource.Create(connectionString.ConnectionString);
            await WaitForCompletedBatchAsync(dataSource, timeout.Token);

            // The schema as production makes it: the migrations resource ran to completion before the workers started.
            var notifications = app.Services.GetRequiredService<ResourceNotificationService>();
            Assert.True(notifications.TryGetCurrentState("migrations", out var migrations), "no migrations resource");
            Assert.Equal((KnownResourceStates.Finished, 0), (migrations.Snapshot.State?.Text, migrations.Snapshot.ExitCode));
            foreach (var worker in new[] { "transform", "ingest", "report" })
            {
                Assert.True(notifications.TryGetCurrentState(worker, out var started), worker);
                Assert.True(started.Snapshot.StartTimeStamp >= migrations.Snapshot.StopTimeStamp,
                    $"{worker} started at {started.Snapshot.StartTimeStamp:O}, the migrations ended at {migrations.Snapshot.StopTimeStamp:O}");
            }

            // The security pass: the generated database password is on no command line, and the local endpoints
            // listen on loopback only.
            Assert.False(string.IsNullOrEmpty(connectionString.Password));
            Assert.DoesNotContain(LocalExposure.CommandLines(), line => line.Contains(connectionString.Password, StringComparison.Ordinal));
            var aws = builder.Resources.OfType<IResourceWithEndpoints>().Single(r => r.Name == "aws");
            foreach (var port in new[] { connectionString.Port, aws.GetEndpoint("http").Port })
            {
                var addresses = LocalExposure.ListeningAddresses(port);
                Assert.NotEmpty(addresses);
                Assert.All(addresses, address => Assert.Equal(LocalExposure.Loopback, address));
            }

            var counts = await new Sparkify.Warehouse.WarehouseStats(dataSource).CountAsync(timeout.Token);
            Assert.Equal(new Dictionary<string, long>
            {
                ["staging_events"] = 8056, ["staging_songs"] = 71, ["songplays"] = 6820, ["users"] = 97,
                ["songs"] = 71, ["artists"] = 69, ["time"] = 6813, ["load_errors"] = 0,
            }, counts);
            await app.StopAsync(CancellationToken.None);
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }

    private static async Task WaitForCompletedBatchAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await using var command = dataSource.CreateCommand("SELECT count(*) FROM batches WHERE status = 'completed'");
                if ((long)(await command.ExecuteScalarAsync(cancellationToken))! > 0)
                {
                    return;
                }
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // The migrations have not run yet.
            }
            await Task.Delay(250, cancellationToken);
        }
    }
}
