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
        var first = _pipeline.StartTransform();
        _pipeline.StartTransform();
        _pipeline.StartIngest(new Dictionary<string, string> { ["Sparkify__Ingest__Mode"] = "Watch", ["Sparkify__Ingest__WatchIntervalSeconds"] = "1" });
        await _pipeline.WaitUntilAsync("SELECT count(*) >= 20 FROM load_files", TimeSpan.FromSeconds(60), "the first batch under way");
        await _pipeline.UploadAsync(_later.Path);
        await _pipeline.WaitUntilAsync("SELECT count(*) >= 2 FROM batches", TimeSpan.FromSeconds(60), "a second batch opened");
        await first.KillAsync();
        _pipeline.StartTransform();

        await _pipeline.WaitUntilAsync($"SELECT count(*) = {_pipeline.Files} FROM load_files WHERE status = 'loaded'",
            TimeSpan.FromSeconds(150), "every file loaded", 200);
        await _pipeline.WaitForBatchesToEndAsync(TimeSpan.FromSeconds(150));
        await _pipeline.AssertEveryFileLoadedOnceAsync();
        Assert.True(await _pipeline.ScalarAsync<long>("SELECT count(*) FROM batches") >= 2);
        Assert.Equal(_clean.ToString(), (await WarehouseSnapshot.TakeAsync(_pipeline.DataSource)).ToString());
    }
}
