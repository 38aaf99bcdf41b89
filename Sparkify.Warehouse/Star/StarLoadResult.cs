namespace Sparkify.Warehouse.Star;

/// <summary>Rows a star load wrote to one table: inserted, updated (a different value written), deleted.</summary>
public sealed record TableChanges(long Inserted, long Updated, long Deleted)
{
    public static readonly TableChanges None = new(0, 0, 0);

    public long Total => Inserted + Updated + Deleted;

    public override string ToString() => $"{Inserted:N0} inserted, {Updated:N0} updated, {Deleted:N0} deleted";
}

/// <summary>
/// What one batch's star load did: the staged files it took in, the superseded versions it took out, and the rows it
/// changed per table. <see cref="Bulk"/>: the batch dwarfed the fact table, so its indexes were built after the insert.
/// </summary>
public sealed record StarLoadResult(
    int FilesTakenIn, int FilesRetired, bool Bulk,
    TableChanges Songplays, TableChanges Users, TableChanges Songs, TableChanges Artists, TableChanges Time)
{
    public static readonly StarLoadResult Nothing = new(0, 0, false, TableChanges.None, TableChanges.None, TableChanges.None,
        TableChanges.None, TableChanges.None);

    public long RowsChanged => Songplays.Total + Users.Total + Songs.Total + Artists.Total + Time.Total;

    public IEnumerable<(string Table, TableChanges Changes)> Tables =>
    [
        ("songplays", Songplays), ("users", Users), ("songs", Songs), ("artists", Artists), ("time", Time),
    ];
}
