using System.Text;
using Sparkify.Warehouse.Parsing;

namespace Sparkify.Warehouse.Tests;

public sealed class EventRecordParserTests
{
    private const string RealPlay =
        """{"artist":"Des'ree","auth":"Logged In","firstName":"Kaylee","gender":"F","itemInSession":1,"lastName":"Summers","length":246.30812,"level":"free","location":"Phoenix-Mesa-Scottsdale, AZ","method":"PUT","page":"NextSong","registration":1540344794796.0,"sessionId":139,"song":"You Gotta Be","status":200,"ts":1541106106796,"userAgent":"\"Mozilla\/5.0 (Windows NT 6.1; WOW64) AppleWebKit\/537.36 (KHTML, like Gecko) Chrome\/35.0.1916.153 Safari\/537.36\"","userId":"8"}""";

    private const string RealLoggedOut =
        """{"artist":null,"auth":"Logged Out","firstName":null,"gender":null,"itemInSession":0,"lastName":null,"length":null,"level":"free","location":null,"method":"PUT","page":"Login","registration":null,"sessionId":52,"song":null,"status":307,"ts":1541207073796,"userAgent":null,"userId":""}""";

    private static (bool Ok, StagedEvent Row, RecordError Error) Parse(string json)
    {
        var ok = EventRecordParser.TryParse(Encoding.UTF8.GetBytes(json), out var row, out var error);
        return (ok, row, error);
    }

    [Fact]
    public void Parses_a_real_play_with_its_types()
    {
        var (ok, row, _) = Parse(RealPlay);

        Assert.True(ok);
        Assert.Equal("Des'ree", row.Artist);
        Assert.Equal(8L, row.UserId);
        Assert.Equal(139, row.SessionId);
        Assert.Equal(1, row.ItemInSession);
        Assert.Equal(246.30812, row.Length);
        Assert.Equal(1540344794796.0, row.Registration);
        Assert.Equal(new DateTime(2018, 11, 1, 21, 1, 46, 796, DateTimeKind.Utc), row.Ts);
        Assert.Equal(DateTimeKind.Utc, row.Ts.Kind);
        Assert.StartsWith("\"Mozilla/5.0 (Windows NT 6.1;", row.UserAgent, StringComparison.Ordinal);
    }

    [Fact]
    public void Logged_out_events_have_no_user()
    {
        var (ok, row, _) = Parse(RealLoggedOut);

        Assert.True(ok);
        Assert.Null(row.UserId);
        Assert.Null(row.FirstName);
        Assert.Null(row.Registration);
        Assert.Equal("Login", row.Page);
    }

    [Fact]
    public void Unicode_escapes_are_decoded()
    {
        var (ok, row, _) = Parse(RealPlay.Replace("Des'ree", "Beyonc\\u00e9", StringComparison.Ordinal));

        Assert.True(ok);
        Assert.Equal("Beyoncé", row.Artist);
    }

    [Theory]
    [InlineData("\"userId\":\"8\"", "\"userId\":8", 8L)]
    [InlineData("\"sessionId\":139", "\"sessionId\":\"139\"", 8L)]
    public void Numbers_and_numeric_text_are_interchangeable(string original, string replacement, long expectedUser)
    {
        var (ok, row, _) = Parse(RealPlay.Replace(original, replacement, StringComparison.Ordinal));

        Assert.True(ok);
        Assert.Equal(expectedUser, row.UserId);
        Assert.Equal(139, row.SessionId);
    }

    [Fact]
    public void A_number_where_text_belongs_is_taken_as_its_text()
    {
        var (ok, row, _) = Parse(RealPlay.Replace("\"Des'ree\"", "112", StringComparison.Ordinal));

        Assert.True(ok);
        Assert.Equal("112", row.Artist);
    }

    [Theory]
    [InlineData("\"ts\":1541106106796,", "", "ts", "missing")]
    [InlineData("\"ts\":1541106106796", "\"ts\":-5", "ts", "plausible")]
    [InlineData("\"ts\":1541106106796", "\"ts\":99999999999999999", "ts", "plausible")]
    [InlineData("\"ts\":1541106106796", "\"ts\":\"yesterday\"", "ts", "whole number")]
    [InlineData("\"page\":\"NextSong\",", "", "page", "missing")]
    [InlineData("\"sessionId\":139", "\"sessionId\":{\"id\":1}", "sessionId", "an object")]
    [InlineData("\"sessionId\":139", "\"sessionId\":1.5", "sessionId", "whole number")]
    [InlineData("\"length\":246.30812", "\"length\":\"long\"", "length", "expected a number")]
    [InlineData("\"artist\":\"Des'ree\"", "\"artist\":[\"a\"]", "artist", "an array")]
    [InlineData("\"userId\":\"8\"", "\"userId\":\"\"", "userId", "needs a userId")]
    [InlineData("\"userId\":\"8\"", "\"userId\":\"eight\"", "userId", "whole number")]
    [InlineData("\"artist\":\"Des'ree\"", "\"artist\":\"A\\u0000B\"", "artist", "NUL character")]
    public void Bad_fields_name_the_column_and_the_reason(string original, string replacement, string column, string reason)
    {
        var json = RealPlay.Replace(original, replacement, StringComparison.Ordinal);
        Assert.NotEqual(RealPlay, json);

        var (ok, _, error) = Parse(json);

        Assert.False(ok);
        Assert.Equal(column, error.Column);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1,2,3]", "expected a JSON object, found an array")]
    [InlineData("{\"ts\":1541106106796", "malformed JSON")]
    [InlineData("{\"ts\":1541106106796,\"page\":\"Home\"} trailing", "malformed JSON")]
    [InlineData("not json at all", "malformed JSON")]
    public void Broken_records_are_errors_without_a_column(string json, string reason)
    {
        var (ok, _, error) = Parse(json);

        Assert.False(ok);
        Assert.Null(error.Column);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_in_a_value_is_an_error()
    {
        var bytes = Encoding.UTF8.GetBytes(RealPlay.Replace("Des'ree", "Des@ree", StringComparison.Ordinal));
        bytes[Array.IndexOf(bytes, (byte)'@')] = 0xC3; // a lead byte followed by an ASCII byte: not UTF-8

        var ok = EventRecordParser.TryParse(bytes, out _, out var error);

        Assert.False(ok);
        Assert.Contains("UTF-8", error.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Unknown_fields_are_ignored()
    {
        var (ok, row, _) = Parse(RealPlay.Replace("{\"artist\"", "{\"extra\":{\"nested\":[1,2]},\"artist\"", StringComparison.Ordinal));

        Assert.True(ok);
        Assert.Equal("Des'ree", row.Artist);
    }
    [Theory]
    [InlineData("\"ts\":\"1541106106796.0\"", "\"userId\":\"8\"")]
    [InlineData("\"ts\":1541106106796.0", "\"userId\":\"8.0\"")]
    [InlineData("\"ts\":\"1.541106106796E12\"", "\"userId\":8.0")]
    public void Numeric_text_with_a_fractional_zero_is_read_as_the_same_number_without_quotes(string ts, string userId)
    {
        var (ok, row, error) = Parse(RealPlay.Replace("\"ts\":1541106106796", ts, StringComparison.Ordinal).Replace("\"userId\":\"8\"", userId, StringComparison.Ordinal));

        Assert.True(ok, error.Reason);
        Assert.Equal(new DateTime(2018, 11, 1, 21, 1, 46, 796, DateTimeKind.Utc), row.Ts);
        Assert.Equal(8L, row.UserId);
    }

    [Fact]
    public void Numeric_text_with_a_real_fraction_is_still_refused_for_a_whole_number()
    {
        var (ok, _, error) = Parse(RealPlay.Replace("\"sessionId\":139", "\"sessionId\":\"139.5\"", StringComparison.Ordinal));

        Assert.False(ok);
        Assert.Equal("sessionId", error.Column);
    }
}
