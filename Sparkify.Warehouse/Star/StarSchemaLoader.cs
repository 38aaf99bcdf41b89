namespace Sparkify.Warehouse.Star;

/// <summary>
/// Loads one batch's staged files into the star schema, set-based, inside the caller's transaction (the batch's star
/// unit: <see cref="BatchFinisher"/>). It takes in exactly the files the batch staged that are not in the star schema
/// yet, and takes out the superseded versions of their keys (their plays recomputed from what staging still holds).
/// Dimension rows are recomputed for the keys those files touch, which makes the result independent of load order
/// and makes a re-run change nothing. <c>time</c> is derived from the plays written.
/// </summary>
internal static class StarSchemaLoader
{
    /// <param name="bulkMinimumPlays">
    /// From this many new plays, when they also outnumber the plays already in the warehouse, the fact table's
    /// secondary indexes and <c>time</c>'s key are built after the insert instead of maintained row by row.
    /// </param>
    public static async Task<StarLoadResult> LoadAsync(WarehouseSession session, long batchId, int bulkMinimumPlays)
    {
        var collected = await session.BatchAsync(
            (StarSql.CreateTimeCandidates, []),
            (StarSql.CollectFiles, [batchId]),
            (StarSql.CollectRetiring, []),
            (StarSql.TakeIn, [batchId]),
            (StarSql.MarkRetired, [batchId]),
            (StarSql.MarkNeverInStar, [batchId]),
            ("ANALYZE batch_star_files, retiring_files", []));
        var (files, retiring) = ((int)collected[1], (int)collected[2]);

        var retiredInStar = collected[4];
        var removedPlays = 0L;
        if (retiredInStar > 0)
        {
            removedPlays = (await session.BatchAsync([.. StarSql.RetireFiles.Select(sql => (sql, Array.Empty<object?>()))]))[0];
        }
        else
        {
            await session.BatchAsync([.. StarSql.NothingRetired.Select(sql => (sql, Array.Empty<object?>()))]);
        }
        var retired = retiredInStar > 0;

        if (await session.RowAsync<bool>(StarSql.StagingToAnalyze) is [var analyzeEvents, var analyzeSongs] && (analyzeEvents || analyzeSongs))
        {
            // Many fresh staging rows without planner statistics make the joins below plan badly. Through the tables' owner
            // (migration 0010): the workers' role does not own staging, and PostgreSQL skips ANALYZE by a non-owner.
            await session.ExecuteAsync("SELECT analyze_staging($1, $2)", analyzeEvents, analyzeSongs);
        }

        var artists = await UpsertAsync(session, StarSql.UpsertArtists);
        var songs = await UpsertAsync(session, StarSql.UpsertSongs);
        await session.ExecuteAsync(StarSql.CollectUserWinners(retired));
        var users = await UpsertAsync(session, StarSql.UpsertUsers);
        if (retired)
        {
            songs = songs with { Deleted = await session.ExecuteAsync(StarSql.DeleteRetiredSongs) };
            artists = artists with { Deleted = await session.ExecuteAsync(StarSql.DeleteRetiredArtists) };
            users = users with { Deleted = await session.ScalarAsync<long>(StarSql.DeleteRetiredUsers) };
        }

        var rematched = await session.ExecuteAsync(StarSql.RematchSongplays);
        var repeated = (await session.BatchAsync(
            (StarSql.CollectChosenPlays(retired), []),
            ("ANALYZE chosen_plays", []),
            (StarSql.CollectRepeatedKeys, [])))[2];
        if (repeated > 0)
        {
            await session.BatchAsync([.. StarSql.KeepGreatestOfRepeated.Select(sql => (sql, Array.Empty<object?>())), ("ANALYZE chosen_plays", [])]);
        }
        await session.BatchAsync(
            (StarSql.CountConflictingPlays, [batchId]),
            (StarSql.CollectPlayMatches, []),
            ("ANALYZE play_matches", []));
        var replaced = await session.ScalarAsync<long>(StarSql.ReplaceGreaterPlays);

        var newPlays = await session.ScalarAsync<long>("SELECT count(*) FROM chosen_plays WHERE existing_id IS NULL");
        var bulk = newPlays >= bulkMinimumPlays
                   && await session.ScalarAsync<long>("SELECT count(*) FROM (SELECT 1 FROM songplays LIMIT $1) existing", newPlays) < newPlays;
        if (bulk)
        {
            // Index builds sort in memory up to this, per index.
            await session.ExecuteAsync("SET LOCAL maintenance_work_mem = '128MB'");
            await session.ExecuteAsync("SELECT star_bulk_begin()");
        }
        var inserted = await session.ExecuteAsync(StarSql.InsertNewPlays);
        var timeInserted = await session.ExecuteAsync(StarSql.InsertTimes(ordered: !bulk));
        if (bulk)
        {
            await session.ExecuteAsync("SELECT star_bulk_end()");
        }
        var timeDeleted = await session.ExecuteAsync(StarSql.DeleteOrphanTimes);

        return new StarLoadResult(files, retiring, bulk,
            new TableChanges(inserted, replaced + rematched, removedPlays), users, songs, artists,
            new TableChanges(timeInserted, 0, timeDeleted));
    }

    private static async Task<TableChanges> UpsertAsync(WarehouseSession session, string sql) =>
        await session.RowAsync<long>(sql) is [var inserted, var updated] ? new TableChanges(inserted, updated, 0) : TableChanges.None;
}
