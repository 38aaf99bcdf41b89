using System.Text;
using Sparkify.Warehouse.Parsing;
using Sparkify.Warehouse.Staging;

namespace Sparkify.Warehouse.Tests;

/// <summary>
/// The edges of reading a record that mutation testing found untested: what each coercion accepts and the exact
/// reason it gives when it does not, the event-time window's ends, a play's required keys, identifier limits, and
/// which of two file versions is the newer.
/// </summary>
public sealed class CoercionEdgeTests
{
    private const string Play =
        """{"artist":"A","auth":"Logged In","firstName":"K","gender":"F","itemInSession":1,"lastName":"S","length":246.5,"level":"free","location":"L","method":"PUT","page":"NextSong","registration":1540344794796.0,"sessionId":139,"song":"S","status":200,"ts":1541106106796,"userAgent":"U","userId":"8"}""";

    private const string Song =
        """{"num_songs":1,"artist_id":"ARD7TVE1187B99BFB1","artist_latitude":null,"artist_longitude":null,"artist_location":"","artist_name":"Casual","song_id":"SOMZWCG12A8C13C480","title":"I Didn't Mean To","duration":218.93179,"year":0}""";

    private static (bool Ok, StagedEvent Row, RecordError Error) Event(string from, string to)
    {
        var json = Play.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Play, json);
        var ok = EventRecordParser.TryParse(Encoding.UTF8.GetBytes(json), out var row, out var error);
        return (ok, row, error);
    }

    private static (bool Ok, StagedSong Row, RecordError Error) SongRecord(string from, string to)
    {
        var json = Song.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Song, json);
        var ok = SongRecordParser.TryParse(Encoding.UTF8.GetBytes(json), out var row, out var error);
        return (ok, row, error);
    }

    [Theory]
    [InlineData("true", "true")]
    [InlineData("false", "false")]
    [InlineData("12.50", "12.50")]
    public void Text_fields_take_booleans_and_numbers_as_written(string written, string read)
    {
        var (ok, row, _) = Event("\"artist\":\"A\"", $"\"artist\":{written}");

        Assert.True(ok);
        Assert.Equal(read, row.Artist);
    }

    [Theory]
    [InlineData("\"artist\":\"A\"", "\"artist\":{\"x\":1}", "artist", "expected text, found an object")]
    [InlineData("\"sessionId\":139", "\"sessionId\":2147483648", "sessionId", "2147483648 is out of range for a 32-bit integer")]
    [InlineData("\"sessionId\":139", "\"sessionId\":-2147483649", "sessionId", "-2147483649 is out of range for a 32-bit integer")]
    [InlineData("\"length\":246.5", "\"length\":1e400", "length", "number 1e400 is out of range")]
    [InlineData("\"length\":246.5", "\"length\":[1]", "length", "expected a number, found an array")]
    [InlineData("\"length\":246.5", "\"length\":\"Infinity\"", "length", "expected a number, found the text \"Infinity\"")]
    [InlineData("\"ts\":1541106106796", "\"ts\":true", "ts", "expected a whole number, found a boolean")]
    [InlineData("\"ts\":1541106106796", "\"ts\":1541106106796.5", "ts", "expected a whole number, found 1541106106796.5")]
    [InlineData("\"ts\":1541106106796", "\"ts\":\"9223372036854775808\"", "ts", "expected a whole number, found the text \"9223372036854775808\"")]
    [InlineData("\"ts\":1541106106796", "\"ts\":\"12345678901234567890123456789012345678901234567890\"", "ts",
        "expected a whole number, found the text \"1234567890123456789012345678901234567890…\"")]
    [InlineData("\"sessionId\":139", "\"sessionId\":null", "sessionId", "a NextSong event needs a sessionId")]
    [InlineData("\"itemInSession\":1", "\"itemInSession\":null", "itemInSession", "a NextSong event needs an itemInSession")]
    public void A_value_that_cannot_be_read_names_its_field_and_says_why(string from, string to, string column, string reason)
    {
        var (ok, _, error) = Event(from, to);

        Assert.False(ok);
        Assert.Equal(new RecordError(column, reason), error);
    }

    [Theory]
    [InlineData("2147483647", 2147483647)]
    [InlineData("-2147483648", -2147483648)]
    public void Session_ids_take_the_whole_32_bit_range(string written, int read)
    {
        var (ok, row, error) = Event("\"sessionId\":139", $"\"sessionId\":{written}");

        Assert.True(ok, error.Reason);
        Assert.Equal(read, row.SessionId);
    }

    [Fact]
    public void A_field_name_written_with_escapes_is_the_same_field()
    {
        var (ok, row, _) = Event("\"userId\":\"8\"", "\"\\u0075serId\":\"9\"");

        Assert.True(ok);
        Assert.Equal(9L, row.UserId);
    }

    [Theory]
    [InlineData("\"9223372036854775807\"", 9223372036854775807L)]
    [InlineData("\"-9223372036854775808\"", -9223372036854775808L)]
    [InlineData("\"1.5411061067960e12\"", 1541106106796L)]
    [InlineData("1.5411061067960e12", 1541106106796L)]
    public void Whole_numbers_are_read_to_the_ends_of_the_64_bit_range(string written, long read)
    {
        var reader = new System.Text.Json.Utf8JsonReader(Encoding.UTF8.GetBytes(written));
        reader.Read();

        Assert.True(JsonCoercion.TryReadInt64(ref reader, out var value, out var error), error);
        Assert.Equal(read, value);
    }

    [Theory]
    [InlineData(946684800000L, true)]   // 2000-01-01T00:00:00Z, the first moment allowed
    [InlineData(946684799999L, false)]
    [InlineData(4102444799999L, true)]  // the last millisecond before 2100
    [InlineData(4102444800000L, false)] // 2100-01-01T00:00:00Z, the first moment refused
    [InlineData(long.MinValue, false)]
    [InlineData(long.MaxValue, false)]
    public void Event_times_are_taken_from_2000_up_to_2100(long milliseconds, bool plausible)
    {
        Assert.Equal(plausible, EventRecordParser.TryConvertEpochMilliseconds(milliseconds, out var utc));
        if (plausible)
        {
            Assert.Equal(DateTime.UnixEpoch.AddMilliseconds(milliseconds), utc);
        }
    }

    [Theory]
    [InlineData("\"song_id\":\"SOMZWCG12A8C13C480\"", "\"song_id\":\" \"", "song_id", "required field is missing, null or empty")]
    [InlineData("\"artist_id\":\"ARD7TVE1187B99BFB1\"", "\"artist_id\":null", "artist_id", "required field is missing, null or empty")]
    public void A_song_needs_its_ids(string from, string to, string column, string reason)
    {
        var (ok, _, error) = SongRecord(from, to);

        Assert.False(ok);
        Assert.Equal(new RecordError(column, reason), error);
    }

    [Theory]
    [InlineData("song_id", 256, true)]
    [InlineData("song_id", 257, false)]
    [InlineData("artist_id", 256, true)]
    [InlineData("artist_id", 257, false)]
    public void Identifiers_are_at_most_256_characters_and_the_long_one_is_named(string column, int length, bool ok)
    {
        var id = new string('X', length);
        var (parsed, row, error) = column == "song_id"
            ? SongRecord("\"song_id\":\"SOMZWCG12A8C13C480\"", $"\"song_id\":\"{id}\"")
            : SongRecord("\"artist_id\":\"ARD7TVE1187B99BFB1\"", $"\"artist_id\":\"{id}\"");

        Assert.Equal(ok, parsed);
        if (ok)
        {
            Assert.Equal(id, column == "song_id" ? row.SongId : row.ArtistId);
        }
        else
        {
            Assert.Equal(new RecordError(column, "an identifier of 257 characters; identifiers are at most 256 (the Million Song Dataset's are 18)"), error);
        }
    }

    [Fact]
    public void Raw_text_of_an_error_row_keeps_its_first_1024_characters()
    {
        Assert.Equal("abc", LoadErrorText.FromBytes("abc"u8));
        Assert.Equal(new string('é', 1024), LoadErrorText.FromBytes(Encoding.UTF8.GetBytes(new string('é', 1030))));
        Assert.Equal(new string('x', 1024), LoadErrorText.Bound(new string('x', 1024)));
        Assert.Equal(new string('x', 1024), LoadErrorText.Bound(new string('x', 1025)));
    }

    [Theory]
    [InlineData(10, "a", 5, "b", true)]   // later modification time wins, whatever the ETag
    [InlineData(5, "b", 10, "a", false)]
    [InlineData(5, "b", 5, "a", true)]    // same time: the greater ETag
    [InlineData(5, "a", 5, "b", false)]
    [InlineData(5, "a", 5, "a", false)]   // the same version is not newer than itself
    [InlineData(null, "b", 5, "a", false)] // no time: older than any time
    [InlineData(5, "a", null, "b", true)]
    [InlineData(null, "b", null, "a", true)]
    public void Of_two_versions_of_a_key_the_later_modified_then_the_greater_etag_is_newer(int? modified, string etag, int? otherModified, string otherETag, bool newer)
    {
        DateTimeOffset? At(int? second) => second is { } s ? new DateTimeOffset(2018, 11, 5, 0, 0, s, TimeSpan.Zero) : null;

        Assert.Equal(newer, new SourceVersion(null, At(modified), etag).IsNewerThan(new SourceVersion(null, At(otherModified), otherETag)));
    }

    [Theory]
    [InlineData("x.json", true)]
    [InlineData("x.json.gz", true)]
    [InlineData("x.jsonl", false)]
    [InlineData("x.gz", false)]
    [InlineData("json", false)]
    public void Source_files_are_json_or_gzipped_json_by_name(string name, bool source)
    {
        Assert.Equal(source, SourceFile.IsSourceName(name));
    }
}
