using System.Globalization;

namespace Sparkify.Warehouse.Star;

/// <summary>
/// The calendar parts of a <c>time</c> row, in UTC. <see cref="Week"/> is the ISO-8601 week;
/// <see cref="Weekday"/> counts from Monday = 0 to Sunday = 6 (as Python's <c>datetime.weekday()</c>,
/// which the classic Sparkify ETL used).
/// </summary>
public readonly record struct TimeParts(int Hour, int Day, int Week, int Month, int Year, int Weekday)
{
    public static TimeParts Of(DateTime utc)
    {
        if (utc.Kind == DateTimeKind.Local)
        {
            throw new ArgumentException("Time parts are computed in UTC; pass a UTC time.", nameof(utc));
        }
        return new TimeParts(
            utc.Hour, utc.Day, ISOWeek.GetWeekOfYear(utc), utc.Month, utc.Year,
            ((int)utc.DayOfWeek + 6) % 7);
    }
}
