using System.Text.Json.Nodes;
using Sparkify.DevTools.DemoData;
using Sparkify.Reporting;
using Sparkify.Testing;
using Sparkify.Warehouse.Reports;

namespace Sparkify.Warehouse.IntegrationTests;

/// <summary>
/// Every field of the report (every cell of the heat map, every share, both percentiles, every total and list), on
/// the real sample and on generated data with many matched songs, against <see cref="ReportOracle"/>: values computed
/// by the tests from the JSON files, not from the warehouse. And friendly answers where there is nothing to report.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReportTests(PostgresFixture postgres, ReportTests.GeneratedData generated) : IClassFixture<ReportTests.GeneratedData>
{
    /// <summary>Generated data: hundreds of matched plays, songs and artists, and ties in every top list.</summary>
    public sealed class GeneratedData : IDisposable
    {
        private readonly TempFolder _folder = new();

        public GeneratedData() =>
            DemoDataGenerator.WriteAsync(_folder.Path, new GeneratorOptions(Songs: 150, Events: 6_000, Days: 9, Users: 40, Seed: 7, MatchedPlayShare: 0.5))
                .GetAwaiter().GetResult();

        public string Folder => _folder.Path;

        public void Dispose() => _folder.Dispose();
    }

    private async Task<JsonNode> ReportAsync(string folder, ReportPeriod period, int top = 10)
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        await warehouse.LoadFolderAsync(folder);
        return JsonNode.Parse(ReportJson.Serialize(await new WarehouseReporter(warehouse.DataSource).BuildAsync(period, top)))!;
    }

    [Fact]
    public async Task Every_answer_on_the_real_sample_equals_the_oracle()
    {
        var report = await ReportAsync(SampleData.Folder, ReportPeriod.All);

        JsonAssert.Equal(ReportOracle.Of(SampleData.Folder).Report(), report, "$.generated_at");
    }

    [Fact]
    public async Task Every_answer_for_a_period_and_a_short_top_list_equals_the_oracle()
    {
        var (from, to) = (new DateOnly(2018, 11, 5), new DateOnly(2018, 11, 6));
        var report = await ReportAsync(SampleData.Folder, new ReportPeriod(from, to), top: 3);

        JsonAssert.Equal(ReportOracle.Of(SampleData.Folder).Report(from, to, top: 3), report, "$.generated_at");
    }

    [Fact]
    public async Task Every_answer_on_data_with_many_matched_songs_equals_the_oracle()
    {
        var oracle = ReportOracle.Of(generated.Folder);
        Assert.True(oracle.Plays.Count(p => p.SongId is not null) > 1_000, "the generated data has too few matched plays to test the top lists");

        JsonAssert.Equal(oracle.Report(top: 7), await ReportAsync(generated.Folder, ReportPeriod.All, top: 7), "$.generated_at");
        JsonAssert.Equal(oracle.Report(from: new DateOnly(2018, 11, 4)), await ReportAsync(generated.Folder, new ReportPeriod(new DateOnly(2018, 11, 4), null)),
            "$.generated_at");
    }

    /// <summary>The oracle itself, against the counts the data's README documents (so that a wrong oracle cannot pass).</summary>
    [Fact]
    public void The_oracle_agrees_with_the_documented_sample()
    {
        var oracle = ReportOracle.Of(SampleData.Folder);
        var report = oracle.Report();

        Assert.Equal(6820, oracle.Plays.Count);
        Assert.Equal(96L, report["totals"]!["active_users"]!.GetValue<long>());
        Assert.Equal(6813, oracle.Plays.Select(p => p.Ts).Distinct().Count());
        var matched = Assert.Single(oracle.Plays, p => p.SongId is not null);
        Assert.Equal((15L, 818, 1542837407796L, "SOZCTXZ12AB0182364", "AR5KOSW1187FB35FF4"),
            (matched.User, matched.Session, (long)(matched.Ts - DateTime.UnixEpoch).TotalMilliseconds, matched.SongId, matched.ArtistId));
        Assert.Subset(new HashSet<long> { 15, 16, 29, 36, 49, 80, 85, 88 },
            report["level_switches"]!.AsArray().Select(s => s!["user_id"]!.GetValue<long>()).ToHashSet());
        Assert.Equal(6820L, report["hour_by_weekday"]!.AsArray().Sum(c => c!["plays"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Nothing_to_report_gives_an_empty_friendly_report_not_an_error()
    {
        await using var empty = await TestWarehouse.CreateAsync(postgres);
        var emptyReport = await new WarehouseReporter(empty.DataSource).BuildAsync(ReportPeriod.All);
        var noPlays = await ReportAsync(SampleData.Folder, new ReportPeriod(new DateOnly(2030, 1, 1), null));
        await using var songsOnly = await TestWarehouse.CreateAsync(postgres);
        using (var folder = new TempFolder())
        {
            folder.Write("song_data/A/A/A/TRONE.json", InputFiles.Song("SO1", "Only", "AR1", "Artist", 100));
            await songsOnly.LoadFolderAsync(folder.Path);
        }
        var songsOnlyReport = await new WarehouseReporter(songsOnly.DataSource).BuildAsync(ReportPeriod.All);
        var noTables = Npgsql.NpgsqlDataSource.Create(await postgres.Server.CreateDatabaseAsync("notables"));
        var noTablesReport = await new WarehouseReporter(noTables).BuildAsync(ReportPeriod.All);
        await noTables.DisposeAsync();

        // The oracle of no plays: zero everywhere, 24 hours and 7 weekdays of nothing, every session bucket empty, no NaN.
        using var nothing = new TempFolder();
        var expected = ReportOracle.Of(nothing.Path).Report();
        JsonAssert.Equal(ReportOracle.Of(SampleData.Folder).Report(new DateOnly(2030, 1, 1)), noPlays, "$.generated_at");
        foreach (var report in new[] { emptyReport, songsOnlyReport, noTablesReport })
        {
            Assert.True(report.IsEmpty);
            JsonAssert.Equal(expected, JsonNode.Parse(ReportJson.Serialize(report))!, "$.generated_at");
        }
    }
}
