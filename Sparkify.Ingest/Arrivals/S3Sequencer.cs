namespace Sparkify.Ingest.Arrivals;

/// <summary>
/// S3's <c>sequencer</c>: for events of one key, the greater value is the later change. Values are hex strings of
/// varying length, compared after left-padding the shorter with zeros.
/// </summary>
public static class S3Sequencer
{
    /// <returns>Less than zero when <paramref name="a"/> is older than <paramref name="b"/>, zero when equal, more when newer.</returns>
    public static int Compare(string a, string b)
    {
        var width = Math.Max(a.Length, b.Length);
        return string.Compare(a.PadLeft(width, '0'), b.PadLeft(width, '0'), StringComparison.OrdinalIgnoreCase);
    }
}
