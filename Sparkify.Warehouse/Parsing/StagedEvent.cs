namespace Sparkify.Warehouse.Parsing;

/// <summary>One app event, typed as staging stores it. Field names follow the log's JSON keys.</summary>
public sealed class StagedEvent
{
    public string? Artist { get; set; }
    public string? Auth { get; set; }
    public string? FirstName { get; set; }
    public string? Gender { get; set; }
    public int? ItemInSession { get; set; }
    public string? LastName { get; set; }
    public double? Length { get; set; }
    public string? Level { get; set; }
    public string? Location { get; set; }
    public string? Method { get; set; }
    public string Page { get; set; } = "";
    /// <summary>Registration time in epoch milliseconds, as the log writes it (a float).</summary>
    public double? Registration { get; set; }
    public int? SessionId { get; set; }
    public string? Song { get; set; }
    public int? Status { get; set; }
    /// <summary>Event time, UTC.</summary>
    public DateTime Ts { get; set; }
    public string? UserAgent { get; set; }
    /// <summary>Null for logged-out events, whose <c>userId</c> is <c>""</c>.</summary>
    public long? UserId { get; set; }
}
