using Sparkify.Testing;

namespace Sparkify.Warehouse.IntegrationTests;

/// <summary>
/// The sample's event logs carry names encoded as UTF-8 three times over ("BjÃ\u0083Â¶rk"): the load repairs them in
/// staging, keeps the raw values beside them, counts the rows repaired in the batch, and the star schema and the
/// matching see "Björk".
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RepairedTextTests(PostgresFixture postgres)
{
    [Fact]
    public async Task The_sample_s_double_encoded_names_are_repaired_in_staging_and_counted()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);

        var report = await warehouse.LoadFolderAsync(SampleData.Folder);

        // 326 NextSong events: 193 artist values and 153 song titles (see the data README), 82 distinct artists.
        Assert.Equal(326, report.RowsRepaired);
        Assert.Equal(326L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM staging_events WHERE repaired_from IS NOT NULL"));
        Assert.Equal(193L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM staging_events WHERE repaired_from ? 'artist'"));
        Assert.Equal(153L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM staging_events WHERE repaired_from ? 'song'"));
        Assert.Equal(82L, await warehouse.ScalarAsync<long>("SELECT count(DISTINCT artist) FROM staging_events WHERE repaired_from ? 'artist'"));
        Assert.Equal(0L, await warehouse.ScalarAsync<long>(
            "SELECT count(*) FROM staging_events WHERE artist ~ '[\u00c2\u00c3][\u0080-\u00bf]' OR song ~ '[\u00c2\u00c3][\u0080-\u00bf]'"));
        Assert.Equal(0L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM songplays WHERE artist_name LIKE '%Ã%' OR song_title LIKE '%Ã%'"));

        Assert.Equal("Bj\u00c3\u0083\u00c2\u00b6rk", await warehouse.ScalarAsync<string>(
            "SELECT DISTINCT repaired_from ->> 'artist' FROM staging_events WHERE artist = 'Björk'"));
        Assert.Equal(33L, await warehouse.ScalarAsync<long>("SELECT count(*) FROM songplays WHERE artist_name = 'Björk'"));
        foreach (var artist in new[] { "Beyoncé", "Alizée", "Ana Cañas", "Alceu Valença" })
        {
            Assert.True(await warehouse.ScalarAsync<long>("SELECT count(*) FROM songplays WHERE artist_name = $1", artist) > 0, artist);
        }
        Assert.True(await warehouse.ScalarAsync<long>("SELECT count(*) FROM songplays WHERE song_title = 'Représente'") > 0);
        // Rows that needed nothing store nothing.
        Assert.Equal(8056L - 326, await warehouse.ScalarAsync<long>("SELECT count(*) FROM staging_events WHERE repaired_from IS NULL"));
    }

    [Fact]
    public async Task A_repaired_name_matches_the_catalog_s_correctly_written_one()
    {
        await using var warehouse = await TestWarehouse.CreateAsync(postgres);
        using var folder = new TempFolder();
        folder.Write("song_data/A/A/A/TRBJORK.json",
            """{"num_songs": 1, "artist_id": "ARBJORK", "artist_latitude": null, "artist_longitude": null, "artist_location": "", "artist_name": "Bj\u00f6rk", "song_id": "SOJOGA", "title": "J\u00f3ga", "duration": 305.3, "year": 1997}""");
        folder.Write("log_data/2018/11/2018-11-15-events.json",
            """{"artist":"Bj\u00c3\u0083\u00c2\u00b6rk","auth":"Logged In","firstName":"Lily","gender":"F","itemInSession":0,"lastName":"Koch","length":305.3,"level":"paid","location":"Chicago-Naperville-Elgin, IL-IN-WI","method":"PUT","page":"NextSong","registration":1540621059796.0,"sessionId":818,"song":"J\u00c3\u0083\u00c2\u00b3ga","status":200,"ts":1542240000796,"userAgent":"Mozilla\/5.0","userId":"15"}""");

        var report = await warehouse.LoadFolderAsync(folder.Path);

        Assert.Equal(1, report.RowsRepaired);
        Assert.Equal("SOJOGA", await warehouse.ScalarAsync<string>("SELECT song_id FROM songplays WHERE artist_name = 'Björk'"));
    }
}
