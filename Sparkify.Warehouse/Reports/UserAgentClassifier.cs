namespace Sparkify.Warehouse.Reports;

/// <summary>
/// Browser and operating system of a logged user agent. No maintained user-agent parser is served to this project, so
/// this is a small classifier of the families eventsim logs (and today's common ones), checked in the order a user
/// agent claims them: Edge and Opera also claim Chrome, Chrome also claims Safari, Internet Explorer 11 only says
/// "Trident". Versions are left out: the question is the mix, not the versions.
/// </summary>
public static class UserAgentClassifier
{
    public const string Unknown = "Unknown";

    public static string Browser(string? userAgent)
    {
        var agent = Clean(userAgent);
        return agent.Length == 0 ? Unknown
            : Has(agent, "Edg/") || Has(agent, "Edge/") ? "Edge"
            : Has(agent, "OPR/") || Has(agent, "Opera") ? "Opera"
            : Has(agent, "Firefox/") ? "Firefox"
            : Has(agent, "Chrome/") || Has(agent, "Chromium/") || Has(agent, "CriOS/") ? "Chrome"
            : Has(agent, "MSIE ") || Has(agent, "Trident/") ? "Internet Explorer"
            : Has(agent, "Safari/") && (Has(agent, "iPhone") || Has(agent, "iPad")) ? "Mobile Safari"
            : Has(agent, "Safari/") ? "Safari"
            : "Other";
    }

    public static string OperatingSystem(string? userAgent)
    {
        var agent = Clean(userAgent);
        return agent.Length == 0 ? Unknown
            : Has(agent, "iPhone") || Has(agent, "iPad") || Has(agent, "iPod") ? "iOS"
            : Has(agent, "Android") ? "Android"
            : Has(agent, "Windows") ? "Windows"
            : Has(agent, "Mac OS X") || Has(agent, "Macintosh") ? "macOS"
            : Has(agent, "Linux") || Has(agent, "X11") ? "Linux"
            : "Other";
    }

    /// <summary>The logs quote some user agents (<c>"\"Mozilla/5.0 …\""</c>): the quotes are not part of it.</summary>
    private static string Clean(string? userAgent) => (userAgent ?? "").Trim().Trim('"').Trim();

    private static bool Has(string agent, string token) => agent.Contains(token, StringComparison.Ordinal);
}
