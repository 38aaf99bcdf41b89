using System.Diagnostics;

namespace Sparkify.Cli.Bench;

/// <summary>
/// The classic Python ETL (pandas reads each file, psycopg2 inserts row by row, one SELECT per play). This machine's
/// registries serve no psycopg2/pandas, so the script for it is not part of the bench yet; the bench says why it
/// skipped the way.
/// </summary>
internal static class PythonWay
{
    public static string SkipReason()
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("python3", ["-c", "import psycopg2, pandas"])
            {
                RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
            });
            probe!.WaitForExit();
            return probe.ExitCode == 0
                ? "skipped: python3 with psycopg2 and pandas is here, but the classic-Python script is not part of the bench yet"
                : "skipped: python3 has no psycopg2/pandas";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "skipped: python3 is not installed";
        }
    }
}
