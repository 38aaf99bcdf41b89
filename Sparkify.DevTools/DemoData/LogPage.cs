namespace Sparkify.DevTools.DemoData;

internal enum LogPage : byte
{
    NextSong, Home, Login, Logout, About, Help, Settings, SaveSettings, Upgrade, SubmitUpgrade, Downgrade,
    SubmitDowngrade, Error,
}

/// <summary>The <c>"method":…,"page":…,</c> and <c>"status":…,</c> fragments of each page, as the real log writes them.</summary>
internal static class LogPages
{
    private static readonly byte[][] MethodAndPage = Enum.GetValues<LogPage>().Select(EncodeMethodAndPage).ToArray();
    private static readonly byte[][] Status = Enum.GetValues<LogPage>().Select(EncodeStatus).ToArray();

    public static ReadOnlySpan<byte> MethodAndPageJson(LogPage page) => MethodAndPage[(int)page];

    public static ReadOnlySpan<byte> StatusJson(LogPage page) => Status[(int)page];

    public static string NameOf(LogPage page) => page switch
    {
        LogPage.SaveSettings => "Save Settings",
        LogPage.SubmitUpgrade => "Submit Upgrade",
        LogPage.SubmitDowngrade => "Submit Downgrade",
        _ => page.ToString(),
    };

    public static int StatusOf(LogPage page) => page switch
    {
        LogPage.Login or LogPage.Logout or LogPage.SaveSettings or LogPage.SubmitUpgrade or LogPage.SubmitDowngrade => 307,
        LogPage.Error => 404,
        _ => 200,
    };

    public static string MethodOf(LogPage page) => page switch
    {
        LogPage.NextSong or LogPage.Login or LogPage.Logout or LogPage.SaveSettings or LogPage.SubmitUpgrade or LogPage.SubmitDowngrade => "PUT",
        _ => "GET",
    };

    private static byte[] EncodeMethodAndPage(LogPage page)
    {
        var json = new AsciiJsonBuilder(64);
        json.Append("\"method\":"u8);
        json.AppendString(MethodOf(page), escapeSlashes: true);
        json.Append(",\"page\":"u8);
        json.AppendString(NameOf(page), escapeSlashes: true);
        json.Append((byte)',');
        return json.ToArray();
    }

    private static byte[] EncodeStatus(LogPage page)
    {
        var json = new AsciiJsonBuilder(16);
        json.Append("\"status\":"u8);
        json.AppendInteger(StatusOf(page));
        json.Append((byte)',');
        return json.ToArray();
    }
}
