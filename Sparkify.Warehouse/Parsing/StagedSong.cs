namespace Sparkify.Warehouse.Parsing;

/// <summary>One song object of <c>song_data</c>, typed as staging stores it.</summary>
public sealed class StagedSong
{
    public int? NumSongs { get; set; }
    public string ArtistId { get; set; } = "";
    public double? ArtistLatitude { get; set; }
    public double? ArtistLongitude { get; set; }
    public string? ArtistLocation { get; set; }
    public string? ArtistName { get; set; }
    public string SongId { get; set; } = "";
    public string? Title { get; set; }
    public double? Duration { get; set; }
    public int? Year { get; set; }
}
