using Sparkify.Warehouse.Star;

namespace Sparkify.Warehouse.Tests;

public sealed class TimePartsTests
{
    [Fact]
    public void Parts_of_a_sample_play()
    {
        // ts 1542837407796: the one matched play of the sample, Wed 2018-11-21 21:56:47.796 UTC.
        var parts = TimeParts.Of(DateTime.UnixEpoch.AddMilliseconds(1542837407796));

        Assert.Equal(new TimeParts(Hour: 21, Day: 21, Week: 47, Month: 11, Year: 2018, Weekday: 2), parts);
    }

    [Theory]
    [InlineData(2018, 12, 31, 1, 0)]  // Monday of ISO week 1 of 2019
    [InlineData(2021, 1, 3, 53, 6)]   // Sunday of ISO week 53 of 2020
    [InlineData(2020, 2, 29, 9, 5)]   // leap day, a Saturday
    public void Weeks_are_iso_and_weekdays_start_on_monday(int year, int month, int day, int week, int weekday)
    {
        var parts = TimeParts.Of(new DateTime(year, month, day, 23, 59, 59, DateTimeKind.Utc));

        Assert.Equal(week, parts.Week);
        Assert.Equal(weekday, parts.Weekday);
        Assert.Equal(23, parts.Hour);
        Assert.Equal(year, parts.Year);
    }

    [Fact]
    public void Local_times_are_refused()
    {
        Assert.Throws<ArgumentException>(() => TimeParts.Of(new DateTime(2018, 11, 1, 0, 0, 0, DateTimeKind.Local)));
    }
}
