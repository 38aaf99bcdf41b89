using Sparkify.DevTools.DemoData;
using Sparkify.Testing;

namespace Sparkify.Pipeline.IntegrationTests.FaultInjection;

/// <summary>
/// Watch mode as it runs in production: new files arrive while a batch loads, so a second batch is open while the
/// first one's star load runs, and a Transform dies meanwhile. Every batch must end completed — its quality checks
/// judging what its own star load consumed — and the warehouse equal to a clean run of all the files.
/// </summary>
[Collection(FaultInjectionCollection.Name)]
public sealed class OverlappingBatchesTests : IAsyncLifetime
{
    private readonly TempFolder _all = new();
    private readonly TempFolder _first = new();
    private readonly TempFolder _later = new();
    private ProcessPipeline _pipeline = null!;
    private WarehouseSnapshot _clean = null!;

    public async Task InitializeAsync()
    {
        await DemoDataGenerator.WriteAsync(_all.Path, new GeneratorOptions(Songs: 600, Events: 60_000, Days: 20));
        var logs = Directory.EnumerateFiles(Path.Combine(_all.Path, "log_data"), "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        foreach (var file in Directory.EnumerateFiles(_all.Path, "*.json", SearchOption.AllDirectories))
        {
            // The last days' logs arrive later.
            var target = logs.IndexOf(file) >= logs.Count / 2 ? _later : _first;
            var copy = Path.Combine(target.Path, Path.GetRelativePath(_all.Path, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
        _pipeline = await ProcessPipeline.CreateAsync(_first.Path);
        _clean = await _pipeline.CleanRunAsync(_all.Path);
    }

    public async Task DisposeAsync()
    {
        await _pipeline.DisposeAsync();
        _all.Dispose();
        _first.Dispose();
        _later.Dispose();
    }

    [Fact]
    public async Task Overlapping_batches_with_a_transform_killed_end_completed_with_their_checks_passing()
    {
        // The first batch's star load waits on the test's lock on songplays: the next batch opens and stages meanwhile.
        foreach (var transform in new[] { _pipeline.StartTransform("transform-1"), _pipeline.StartTransform("transform-2") })
        {
            await transform.WaitForOutputAsync(ProcessPipeline.Receiving, TimeSpan.FromSeconds(60), "receiving (the schema checked)");
        }
        var songplays = await _pipeline.HoldAsync("LOCK TABLE songplays IN SHARE MODE");
        _pipeline.StartIngest(new Dictionary<string, string> { ["Sparkify__Ingest__Mode"] = "Watch", ["Sparkify__Ingest__WatchIntervalSeconds"] = "1" });
        var starLoad = await _pipeline.WaitForRowAsync(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid) " +
            "WHERE NOT l.granted AND l.relation = 'songplays'::regclass AND a.application_name LIKE 'transform-%'",
            TimeSpan.FromSeconds(60), "the first batch's star load running, waiting on songplays");
        await _pipeline.UploadAsync(_later.Path);

        // The overlap: files of a second batch staged while the first batch's star load runs.
        await _pipeline.WaitUntilAsync(
            "EXISTS (SELECT FROM load_files WHERE status = 'loaded' AND batch_id > (SELECT min(batch_id) FROM batches)) " +
            "AND (SELECT status FROM batches ORDER BY batch_id LIMIT 1) NOT IN ('completed', 'completed_with_failures', 'failed')",
            TimeSpan.FromSeconds(60), "a second batch staging while the first one's star load runs");
        // The Transform running that star load dies; another takes its claim over.
        await _pipeline.Transform((string)starLoad[0]!).KillAsync();
        await songplays.DisposeAsync();
        _pipeline.StartTransform();

        await _pipeline.WaitUntilAsync($"(SELECT count(*) = {_pipeline.Files} FROM load_files WHERE status = 'loaded')",
            TimeSpan.FromSeconds(150), "every file loaded");
        await _pipeline.WaitForBatchesToEndAsync(TimeSpan.FromSeconds(150));
        await _pipeline.AssertEveryFileLoadedOnceAsync();
        Assert.True(await _pipeline.ScalarAsync<long>("SELECT count(*) FROM batches") >= 2);
        Assert.True(await _pipeline.ScalarAsync<bool>(
            "SELECT EXISTS (SELECT FROM load_files f, batches first WHERE first.batch_id = (SELECT min(batch_id) FROM batches) " +
            "AND f.batch_id > first.batch_id AND f.status = 'loaded' AND f.loaded_at < first.completed_at)"), "the batches did not overlap");
        Assert.Equal(_clean.ToString(), (await WarehouseSnapshot.TakeAsync(_pipeline.DataSource)).ToString());
    }
}
