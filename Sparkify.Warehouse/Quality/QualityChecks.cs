using Npgsql;
using Sparkify.Warehouse.Star;

namespace Sparkify.Warehouse.Quality;

/// <summary>
/// The checks run after every star load, like Airflow's DataQualityOperator and dbt's not_null / unique /
/// relationships tests. After a batch they judge exactly the files that batch's star load took in — one row per play
/// key of their NextSong events — inside the star load's own transaction, so a batch is completed only with checks
/// that judged its rows, and their cost follows the batch, not the warehouse. The same batch checks can be run again
/// later (<c>sparkify check</c>); the whole-warehouse variants run on demand (<c>sparkify check --all</c>). Results go
/// to <c>quality_check_results</c>.
/// </summary>
public sealed class QualityChecks(NpgsqlDataSource dataSource, TimeSpan? statementTimeout = null)
{
    /// <summary>
    /// The batch checks: aggregates over the batch's play keys (<c>k</c>: user_id, session_id, item_in_session,
    /// conflicting) joined to their play (<c>sp</c>), its user (<c>u</c>) and its time row (<c>t</c>); $1 is the batch.
    /// </summary>
    public static readonly IReadOnlyList<QualityCheck> Batch =
    [
        new("songplays_cover_staged_plays", "every NextSong event the batch staged has its songplay",
            "count(*) FILTER (WHERE sp.songplay_id IS NULL)"),
        new("songplays_user_in_users", "every songplay of the batch has its users row",
            "count(*) FILTER (WHERE sp.songplay_id IS NOT NULL AND u.user_id IS NULL)"),
        new("songplays_start_time_in_time", "every songplay of the batch has its time row",
            "count(*) FILTER (WHERE sp.songplay_id IS NOT NULL AND t.start_time IS NULL)"),
        new("songplays_conflicting_duplicates", "no NextSong event of the batch disagrees with another event of its (user, session, item in session)",
            "count(*) FILTER (WHERE k.conflicting) + (SELECT conflicting_plays FROM batches WHERE batch_id = $1)"),
    ];

    public static readonly IReadOnlyList<QualityCheck> Warehouse =
    [
        KeyCheck("songplays", "songplay_id"),
        KeyCheck("users", "user_id"),
        KeyCheck("songs", "song_id"),
        KeyCheck("artists", "artist_id"),
        KeyCheck("time", "start_time"),
        new("songplays_user_in_users", "every songplay's user_id has a users row",
            "SELECT count(*) FROM songplays sp WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.user_id = sp.user_id)"),
        new("songplays_start_time_in_time", "every songplay's start_time has a time row",
            "SELECT count(*) FROM songplays sp WHERE NOT EXISTS (SELECT 1 FROM time t WHERE t.start_time = sp.start_time)"),
        new("time_has_plays", "every time row is the start time of a songplay",
            "SELECT count(*) FROM time t WHERE NOT EXISTS (SELECT 1 FROM songplays sp WHERE sp.start_time = t.start_time)"),
        new("songplays_cover_staged_plays", "every NextSong event in the star schema's staging has its songplay",
            """
            SELECT count(*) FROM (SELECT DISTINCT user_id, session_id, item_in_session FROM star_staging_events WHERE page = 'NextSong') e
            WHERE NOT EXISTS (SELECT 1 FROM songplays sp
                              WHERE sp.user_id = e.user_id AND sp.session_id = e.session_id AND sp.item_in_session = e.item_in_session)
            """),
        new("staged_files_of_ended_batches_in_star", "every file a batch staged is in the star schema once the batch has ended",
            """
            SELECT count(*) FROM load_files f JOIN batches b USING (batch_id)
            WHERE f.status = 'loaded' AND b.status NOT IN ('open', 'loading_star')
              AND NOT EXISTS (SELECT 1 FROM star_files s WHERE s.file_id = f.file_id)
            """),
        new("songplays_not_empty", "songplays is not empty when the star schema's staging holds NextSong events",
            """
            SELECT CASE WHEN EXISTS (SELECT 1 FROM star_staging_events WHERE page = 'NextSong')
                         AND NOT EXISTS (SELECT 1 FROM songplays) THEN 1 ELSE 0 END
            """),
    ];

    /// <summary>
    /// The play keys of the NextSong events in the files a batch's star load took in, and whether the events of a key
    /// disagree (the star load builds the same from its candidates: <c>chosen_plays</c>).
    /// </summary>
    private static readonly string CollectBatchKeys =
        $"""
        CREATE TEMP TABLE checked_plays ON COMMIT DROP AS
        SELECT c.user_id, c.session_id, c.item_in_session, count(DISTINCT {StarSql.PlayOrder("c.")}) > 1 AS conflicting
        FROM (SELECT e.ts AS start_time, e.user_id, e.level, e.session_id, e.location, e.user_agent, e.item_in_session,
                     e.song AS song_title, e.artist AS artist_name, e.length AS song_length
              FROM staging_events e JOIN star_files f USING (file_id)
              WHERE f.batch_id = $1 AND e.page = 'NextSong') c
        GROUP BY c.user_id, c.session_id, c.item_in_session
        """;

    /// <summary>
    /// Runs the batch checks inside a star load's transaction, over its <c>chosen_plays</c>, and stores the results
    /// with it (they commit, or roll back, with the star load).
    /// </summary>
    internal static Task<IReadOnlyList<QualityCheckResult>> RunInStarLoadAsync(WarehouseSession session, long batchId) =>
        RunBatchAsync(session, batchId, "chosen_plays");

    /// <summary>
    /// With a batch: the batch's checks, judged again over the files its star load took in, stored with its id.
    /// Without: the whole-warehouse checks, stored without one.
    /// </summary>
    public async Task<IReadOnlyList<QualityCheckResult>> RunAsync(long? batchId, CancellationToken cancellationToken = default)
    {
        await using var session = await WarehouseSession.BeginAsync(dataSource, cancellationToken, System.Data.IsolationLevel.RepeatableRead);
        await session.ExecuteAsync(StarSessionSettings.For(statementTimeout));
        IReadOnlyList<QualityCheckResult> results;
        if (batchId is { } batch)
        {
            await session.ExecuteAsync(CollectBatchKeys, batch);
            await session.ExecuteAsync("ANALYZE checked_plays");
            results = await RunBatchAsync(session, batch, "checked_plays");
        }
        else
        {
            var list = new List<QualityCheckResult>(Warehouse.Count);
            foreach (var check in Warehouse)
            {
                var failing = await session.ScalarAsync<long>(check.FailingRowsSql);
                list.Add(new QualityCheckResult(check.Name, check.Description, failing == 0, failing));
            }
            await StoreAsync(session, null, list);
            results = list;
        }
        await session.CommitAsync();
        return results;
    }

    /// <summary>The latest batch whose star load took files in, for checking "the last load" (null: none yet).</summary>
    public async Task<long?> LatestStarBatchAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT max(batch_id) FROM star_files");
        return await command.ExecuteScalarAsync(cancellationToken) is long id ? id : null;
    }

    /// <param name="keys">A fixed temp-table name in code: chosen_plays or checked_plays.</param>
    private static async Task<IReadOnlyList<QualityCheckResult>> RunBatchAsync(WarehouseSession session, long batchId, string keys)
    {
        var failing = await session.RowAsync<long>(
            $"""
            SELECT {string.Join(", ", Batch.Select(c => c.FailingRowsSql))}
            FROM {keys} k
            LEFT JOIN songplays sp ON sp.user_id = k.user_id AND sp.session_id = k.session_id AND sp.item_in_session = k.item_in_session
            LEFT JOIN users u ON u.user_id = sp.user_id
            LEFT JOIN time t ON t.start_time = sp.start_time
            """, batchId) ?? throw new InvalidOperationException("the batch checks returned no row");
        var results = Batch.Select((c, i) => new QualityCheckResult(c.Name, c.Description, failing[i] == 0, failing[i])).ToList();
        await StoreAsync(session, batchId, results);
        return results;
    }

    private static Task StoreAsync(WarehouseSession session, long? batchId, IReadOnlyList<QualityCheckResult> results) =>
        session.ExecuteAsync(
            """
            INSERT INTO quality_check_results (batch_id, check_name, passed, failing_rows)
            SELECT $1, name, passed, failing_rows FROM unnest($2::text[], $3::boolean[], $4::bigint[]) AS r (name, passed, failing_rows)
            """,
            new NpgsqlParameter { Value = (object?)batchId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint },
            results.Select(r => r.Name).ToArray(), results.Select(r => r.Passed).ToArray(), results.Select(r => r.FailingRows).ToArray());

    // Table and column names come from the fixed list above, never from input.
    private static QualityCheck KeyCheck(string table, string key) => new(
        $"{table}_{key}_not_null_unique",
        $"{table}.{key} is never null and never repeated",
        $"SELECT count(*) FILTER (WHERE {key} IS NULL) + (count({key}) - count(DISTINCT {key})) FROM {table}");
}
