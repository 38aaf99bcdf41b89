using Sparkify.DevTools.DemoData;
using Sparkify.Testing;

namespace Sparkify.Deploy.Tests.Rehearsal;

/// <summary>
/// The deployment rehearsed on this machine with the real images: built by the SDK on a locally made base image,
/// pulled from a registry on loopback, and run by podman exactly as the synthesized task definitions say (image,
/// user, read-only root, environment, secrets, health check, stop timeout), against a real PostgreSQL and the local
/// S3/SQS endpoint. What cannot be rehearsed here — cdk deploy, ECR, Fargate — is said in the README.
/// </summary>
public sealed class DeploymentRehearsalTests(RehearsalFixture fixture) : IClassFixture<RehearsalFixture>
{
    private const string Migration = "WorkersMigrationTask";
    private const string Ingest = "WorkersIngestTask";
    private const string Transform = "WorkersTransformTask";
    private static readonly TimeSpan Load = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task The_migration_task_then_the_workers_load_the_real_sample_with_the_exact_counts_and_answer_healthy()
    {
        await using var deployment = await RehearsedDeployment.CreateAsync(fixture, SampleData.Folder);

        var migration = await deployment.RunAsync(Migration, detach: false);
        Assert.True(migration.ExitCodeOfForegroundRun == 0, migration.ForegroundOutput);
        Assert.True(await deployment.ScalarAsync<bool>("SELECT to_regclass('songplays') IS NOT NULL AND to_regclass('batch_files') IS NOT NULL"));

        var transform = await deployment.RunAsync(Transform);
        var ingest = await deployment.RunAsync(Ingest);
        await WaitUntilHealthyAsync(transform, deployment);
        // The Transform is logged in as the workers' role, over TLS that it verified (VerifyFull against the image's CA bundle).
        // (Healthy comes first: the heartbeat beats while the worker still waits for the database.)
        await deployment.WaitUntilAsync(
            $"SELECT count(*) > 0 AND bool_and(s.ssl) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.usename = '{Warehouse.Schema.WorkerRole.Name}'",
            TimeSpan.FromMinutes(1), "the workers connected as their role over TLS");
        Assert.Equal(0L, await deployment.ScalarAsync<long>(
            $"SELECT count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.usename = '{Warehouse.Schema.WorkerRole.Name}' AND NOT s.ssl"));
        Assert.Equal(0, await ingest.WaitAsync(TimeSpan.FromMinutes(2)));
        await deployment.WaitForBatchesToEndAsync(Load);

        var counts = await new Warehouse.WarehouseStats(deployment.DataSource).CountAsync();
        Assert.Equal(
            [("staging_events", 8056L), ("staging_songs", 71L), ("songplays", 6820L), ("users", 97L), ("songs", 71L), ("artists", 69L), ("time", 6813L)],
            counts.Where(c => c.Key != "load_errors").Select(c => (c.Key, c.Value)));
        await deployment.AssertEveryFileLoadedOnceAsync();
        Assert.True(await transform.IsHealthyAsync(), "the health check failed while the worker idles");

        var (exitCode, took) = await transform.StopAsync();
        Assert.Equal(0, exitCode);
        Assert.True(took < TimeSpan.FromSeconds(transform.Task.StopTimeoutSeconds), $"stopping took {RehearsedDeployment.Seconds(took)} s");
    }

    [Fact]
    public async Task Podman_stop_on_the_transform_during_a_load_exits_0_within_the_stop_timeout_and_loses_nothing()
    {
        using var data = await GeneratedDataAsync();
        var clean = await RehearsedDeployment.CleanRunAsync(fixture, data.Path);
        await using var deployment = await RehearsedDeployment.CreateAsync(fixture, data.Path);
        var transform = await StartLoadAndWaitUntilPartlyStagedAsync(deployment);

        var (exitCode, took) = await transform.StopAsync();
        Assert.True(exitCode == 0, $"exit code {exitCode}\n{await deployment.DiagnosticsAsync()}");
        Assert.True(took < TimeSpan.FromSeconds(transform.Task.StopTimeoutSeconds), $"stopping took {RehearsedDeployment.Seconds(took)} s");
        Assert.Equal(0L, await deployment.ScalarAsync<long>("SELECT count(*) FROM batches WHERE status = 'loading_star'"));

        await AssertAnotherTransformFinishesAsACleanRunAsync(deployment, clean);
    }

    [Fact]
    public async Task A_transform_killed_mid_batch_and_started_again_ends_equal_to_a_clean_run()
    {
        using var data = await GeneratedDataAsync();
        var clean = await RehearsedDeployment.CleanRunAsync(fixture, data.Path);
        await using var deployment = await RehearsedDeployment.CreateAsync(fixture, data.Path);
        var transform = await StartLoadAndWaitUntilPartlyStagedAsync(deployment);

        await transform.KillAsync();
        Assert.Equal(137, await transform.ExitCodeAsync());

        await AssertAnotherTransformFinishesAsACleanRunAsync(deployment, clean);
    }

    /// <summary>The migration task, then Transform and Ingest; returns the Transform once part of the batch is staged.</summary>
    private static async Task<PodmanContainer> StartLoadAndWaitUntilPartlyStagedAsync(RehearsedDeployment deployment)
    {
        Assert.Equal(0, (await deployment.RunAsync(Migration, detach: false)).ExitCodeOfForegroundRun);
        var transform = await deployment.RunAsync(Transform);
        await deployment.RunAsync(Ingest);
        await deployment.WaitUntilAsync(
            "SELECT EXISTS (SELECT FROM batch_files WHERE state = 'staged') AND EXISTS (SELECT FROM batch_files WHERE state = 'queued')",
            Load, "part of the batch staged");
        return transform;
    }

    private static async Task AssertAnotherTransformFinishesAsACleanRunAsync(RehearsedDeployment deployment, WarehouseSnapshot clean)
    {
        await deployment.RunAsync(Transform);
        await deployment.WaitForBatchesToEndAsync(Load);
        await deployment.AssertEveryFileLoadedOnceAsync();
        Assert.Equal(clean.ToString(), (await WarehouseSnapshot.TakeAsync(deployment.DataSource)).ToString());
    }

    /// <summary>Enough files that a load lasts a few seconds, so a stop or a kill lands in the middle of it.</summary>
    private static async Task<TempFolder> GeneratedDataAsync()
    {
        var folder = new TempFolder();
        await DemoDataGenerator.WriteAsync(folder.Path, new GeneratorOptions(Songs: 1500, Events: 30_000, Days: 10));
        return folder;
    }

    private static async Task WaitUntilHealthyAsync(PodmanContainer container, RehearsedDeployment deployment)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (await container.IsHealthyAsync())
            {
                return;
            }
            await Task.Delay(200);
        }
        Assert.Fail($"{container.Name} never answered healthy.\n{await deployment.DiagnosticsAsync()}");
    }
}
