using System.Text;
using Sparkify.Warehouse.Parsing;

namespace Sparkify.Warehouse.Tests;

public sealed class SongRecordParserTests
{
    private const string RealSong =
        """{"num_songs": 1, "artist_id": "ARD7TVE1187B99BFB1", "artist_latitude": null, "artist_longitude": null, "artist_location": "California - LA", "artist_name": "Casual", "song_id": "SOMZWCG12A8C13C480", "title": "I Didn't Mean To", "duration": 218.93179, "year": 0}""";

    private static (bool Ok, StagedSong Row, RecordError Error) Parse(string json)
    {
        var ok = SongRecordParser.TryParse(Encoding.UTF8.GetBytes(json), out var row, out var error);
        return (ok, row, error);
    }

    [Fact]
    public void Parses_a_real_song()
    {
        var (ok, row, _) = Parse(RealSong);

        Assert.True(ok);
        Assert.Equal("SOMZWCG12A8C13C480", row.SongId);
        Assert.Equal("ARD7TVE1187B99BFB1", row.ArtistId);
        Assert.Null(row.ArtistLatitude);
        Assert.Equal("California - LA", row.ArtistLocation);
        Assert.Equal(218.93179, row.Duration);
        Assert.Equal(0, row.Year);
        Assert.Equal(1, row.NumSongs);
    }

    [Fact]
    public void A_numeric_artist_name_is_taken_as_text()
    {
        var (ok, row, _) = Parse(RealSong.Replace("\"Casual\"", "112", StringComparison.Ordinal));

        Assert.True(ok);
        Assert.Equal("112", row.ArtistName);
    }

    [Fact]
    public void Escaped_non_ascii_titles_are_decoded()
    {
        var (ok, row, _) = Parse(RealSong.Replace("I Didn't Mean To", "\\u00bfD\\u00f3nde va Chichi?", StringComparison.Ordinal));

        Assert.True(ok);
        Assert.Equal("¿Dónde va Chichi?", row.Title);
    }

    [Theory]
    [InlineData("\"song_id\": \"SOMZWCG12A8C13C480\", ", "song_id")]
    [InlineData("\"artist_id\": \"ARD7TVE1187B99BFB1\", ", "artist_id")]
    public void Missing_keys_are_errors(string removed, string column)
    {
        var (ok, _, error) = Parse(RealSong.Replace(removed, "", StringComparison.Ordinal));

        Assert.False(ok);
        Assert.Equal(column, error.Column);
    }

    [Fact]
    public void A_text_year_that_is_not_a_number_is_an_error()
    {
        var (ok, _, error) = Parse(RealSong.Replace("\"year\": 0", "\"year\": \"nineteen\"", StringComparison.Ordinal));

        Assert.False(ok);
        Assert.Equal("year", error.Column);
    }
}
