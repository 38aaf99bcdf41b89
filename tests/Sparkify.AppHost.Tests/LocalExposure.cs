using System.Globalization;

namespace Sparkify.AppHost.Tests;

/// <summary>What another user or another machine could see of a running system: command lines and listening sockets.</summary>
internal static class LocalExposure
{
    /// <summary>Every process's command line (what `ps` shows to any user).</summary>
    public static IEnumerable<string> CommandLines()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            string commandLine;
            try
            {
                commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            yield return commandLine;
        }
    }

    /// <summary>The local addresses (hex, as in /proc/net/tcp*) of the sockets listening on a port.</summary>
    public static List<string> ListeningAddresses(int port)
    {
        var addresses = new List<string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var local = fields[1].Split(':');
                const string listen = "0A";
                if (fields[3] == listen && int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
                {
                    addresses.Add(local[0]);
                }
            }
        }
        return addresses;
    }

    /// <summary>127.0.0.1 in /proc/net/tcp's little-endian hex.</summary>
    public const string Loopback = "0100007F";
}
