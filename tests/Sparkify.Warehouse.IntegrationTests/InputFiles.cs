using System.Globalization;

namespace Sparkify.Warehouse.IntegrationTests;

/// <summary>Valid records in the real files' exact format, to build test inputs around.</summary>
internal static class InputFiles
{
    public const string LogKey = "log_data/2018/11/2018-11-05-events.json";

    public static string Play(long userId, long ts, string song = "Some Song", string artist = "Some Artist", double length = 200.5,
        string level = "free", int sessionId = 100, int itemInSession = 0) =>
        $$"""{"artist":"{{artist}}","auth":"Logged In","firstName":"Ann","gender":"F","itemInSession":{{itemInSession}},"lastName":"Lee","length":{{length.ToString(CultureInfo.InvariantCulture)}},"level":"{{level}}","location":"Somewhere, ST","method":"PUT","page":"NextSong","registration":1540919166796.0,"sessionId":{{sessionId}},"song":"{{song}}","status":200,"ts":{{ts}},"userAgent":"\"Mozilla\/5.0\"","userId":"{{userId}}"}""";

    public static string Song(string songId, string title, string artistId, string artistName, double duration,
        string location = "", string latitude = "null") =>
        $$"""{"num_songs": 1, "artist_id": "{{artistId}}", "artist_latitude": {{latitude}}, "artist_longitude": null, "artist_location": "{{location}}", "artist_name": "{{artistName}}", "song_id": "{{songId}}", "title": "{{title}}", "duration": {{duration.ToString(CultureInfo.InvariantCulture)}}, "year": 0}""";

    /// <summary>Plays of one session of user 1 on 2018-11-05, a second apart; line i is play i.</summary>
    public static string[] Plays(int count) =>
        [.. Enumerable.Range(1, count).Select(i => Play(userId: 1, ts: 1541376000000 + i * 1000L, itemInSession: i))];
}
