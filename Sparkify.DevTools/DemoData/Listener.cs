namespace Sparkify.DevTools.DemoData;

/// <summary>A user of the logs. Everything but the level is fixed; the level flips once at <see cref="LevelSwitchTs"/>.</summary>
internal sealed class Listener
{
    public Listener(int userId, string firstName, string lastName, string gender, string location, string userAgent,
        long registrationTs, bool startsPaid, long levelSwitchTs)
    {
        UserIdJson = AsciiJsonBuilder.QuotedString(userId.ToString(System.Globalization.CultureInfo.InvariantCulture), escapeSlashes: true);
        FirstNameJson = AsciiJsonBuilder.QuotedString(firstName, escapeSlashes: true);
        LastNameJson = AsciiJsonBuilder.QuotedString(lastName, escapeSlashes: true);
        GenderJson = AsciiJsonBuilder.QuotedString(gender, escapeSlashes: true);
        LocationJson = AsciiJsonBuilder.QuotedString(location, escapeSlashes: true);
        UserAgentJson = AsciiJsonBuilder.QuotedString(userAgent, escapeSlashes: true);
        RegistrationTs = registrationTs;
        StartsPaid = startsPaid;
        LevelSwitchTs = levelSwitchTs;
    }

    public byte[] UserIdJson { get; }

    public byte[] FirstNameJson { get; }

    public byte[] LastNameJson { get; }

    public byte[] GenderJson { get; }

    public byte[] LocationJson { get; }

    public byte[] UserAgentJson { get; }

    public long RegistrationTs { get; }

    public bool StartsPaid { get; }

    /// <summary><see cref="long.MaxValue"/> for the users whose level never changes.</summary>
    public long LevelSwitchTs { get; }

    public bool IsPaidAt(long ts) => ts >= LevelSwitchTs ? !StartsPaid : StartsPaid;
}
