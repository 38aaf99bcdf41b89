namespace Sparkify.Pipeline.IntegrationTests;

/// <summary>Log lines in the real files' format, to build pipeline inputs with.</summary>
internal static class TestEvents
{
    private const string Play =
        """{"artist":"Band","auth":"Logged In","firstName":"Ann","gender":"F","itemInSession":ITEM,"lastName":"Lee","length":200.5,"level":"free","location":"X","method":"PUT","page":"NextSong","registration":1540919166796.0,"sessionId":SESSION,"song":"Tune","status":200,"ts":TS,"userAgent":"UA","userId":"3"}""";

    /// <summary><paramref name="count"/> plays of user 3, items from <paramref name="firstItem"/>, a second apart.</summary>
    public static string Plays(int count, int firstItem = 0, int sessionId = 5) =>
        string.Join("\n", Enumerable.Range(firstItem, count).Select(i =>
            Play.Replace("ITEM", $"{i}").Replace("SESSION", $"{sessionId}").Replace("TS", $"{1541376000000L + i * 1000}")));
}
