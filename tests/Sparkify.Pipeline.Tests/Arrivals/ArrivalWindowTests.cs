using Sparkify.Ingest.Arrivals;

namespace Sparkify.Pipeline.Tests.Arrivals;

public sealed class ArrivalWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 15, 0, 0, TimeSpan.Zero);

    private static ObjectArrival File(string key, string sequencer = "01", string etag = "e") => new("b", key, 1, etag, sequencer, null);

    [Fact]
    public void An_empty_window_is_never_due_and_a_receive_may_wait_the_longest_poll()
    {
        var window = new ArrivalWindow(maxFiles: 3, TimeSpan.FromSeconds(10));

        Assert.False(window.IsDue(T0.AddHours(1)));
        Assert.Equal(TimeSpan.FromSeconds(20), window.TimeLeft(T0, TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public void The_window_is_due_its_time_after_the_first_message_however_few_files_it_holds()
    {
        var window = new ArrivalWindow(maxFiles: 1000, TimeSpan.FromSeconds(10));
        window.Add("m1", [File("log_data/a.json")], T0);
        window.Add("m2", [File("log_data/b.json")], T0.AddSeconds(8));

        Assert.False(window.IsDue(T0.AddSeconds(9.9)));
        Assert.Equal(TimeSpan.FromSeconds(2), window.TimeLeft(T0.AddSeconds(8), TimeSpan.FromSeconds(20)));
        Assert.True(window.IsDue(T0.AddSeconds(10)));
        Assert.Equal(TimeSpan.Zero, window.TimeLeft(T0.AddSeconds(12), TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public void The_window_is_due_at_once_when_it_holds_its_count_of_files()
    {
        var window = new ArrivalWindow(maxFiles: 3, TimeSpan.FromSeconds(10));
        window.Add("m1", [File("log_data/a.json"), File("log_data/b.json")], T0);
        Assert.False(window.IsDue(T0));

        window.Add("m2", [File("log_data/c.json")], T0);

        Assert.True(window.IsDue(T0));
    }

    [Fact]
    public void Duplicates_are_one_file_and_of_one_keys_versions_the_greatest_sequencer_is_kept_in_any_order()
    {
        var window = new ArrivalWindow(maxFiles: 5, TimeSpan.FromSeconds(10));
        window.Add("m1", [File("log_data/a.json", "0055AED6DCD90281E5", "older")], T0);
        window.Add("m2", [File("log_data/a.json", "0055AED6DCD90281E9", "newer")], T0);
        window.Add("m3", [File("log_data/a.json", "0055AED6DCD90281E5", "older")], T0);
        window.Add("m4", [File("log_data/a.json", "0055AED6DCD90281E9", "newer")], T0);

        Assert.Equal("newer", Assert.Single(window.Files).ETag);
        Assert.False(window.IsDue(T0));
        Assert.Equal(["m1", "m2", "m3", "m4"], window.ReceiptHandles);
    }

    [Fact]
    public void Messages_naming_no_file_open_the_window_and_are_deleted_with_it()
    {
        var window = new ArrivalWindow(maxFiles: 2, TimeSpan.FromSeconds(10));
        window.Add("test-event", [], T0);

        Assert.Empty(window.Files);
        Assert.True(window.IsDue(T0.AddSeconds(10)));
        window.Add("other-bucket", [], T0);
        Assert.True(window.IsDue(T0));
        Assert.Equal(["test-event", "other-bucket"], window.ReceiptHandles);

        window.Clear();
        Assert.Empty(window.ReceiptHandles);
        Assert.False(window.IsDue(T0.AddHours(1)));
    }

    [Fact]
    public void A_version_older_than_one_recorded_before_is_superseded_a_newer_one_is_not()
    {
        var recorded = new NewestSequencers();
        recorded.Remember([File("log_data/a.json", "0A")]);

        Assert.True(recorded.IsSuperseded(File("log_data/a.json", "09")));
        Assert.False(recorded.IsSuperseded(File("log_data/a.json", "0B")));
        Assert.False(recorded.IsSuperseded(File("log_data/a.json", "0A")));
        Assert.False(recorded.IsSuperseded(File("log_data/b.json", "01")));
    }
}
