using Npgsql;

namespace Sparkify.Warehouse.Quality;

/// <summary>
/// The checks run after every star load, like Airflow's DataQualityOperator and dbt's not_null / unique /
/// relationships tests. After a batch they judge what that batch's star load consumed — its files' plays — so their
/// cost follows the batch, not the warehouse, and files staged meanwhile for another batch are not counted against it.
/// The whole-warehouse variants run on demand (<c>sparkify check --all</c>). Results go to <c>quality_check_results</c>.
/// </summary>
public sealed class QualityChecks(NpgsqlDataSource dataSource, TimeSpan? statementTimeout = null)
{
    /// <summary>
    /// The plays a batch's star load is answerable for: one row per play key of the NextSong events in the files it
    /// consumed, with that key's play (if any) and whether the events disagree with it.
    /// </summary>
    private static readonly (string Sql, bool TakesBatchId)[] CollectBatch =
    [
        // The batch's files first, with statistics: so the planner reaches their events through staging_events_file
        // instead of scanning all of staging (a later batch id has no statistics of its own in load_files).
        ("CREATE TEMP TABLE batch_file_ids ON COMMIT DROP AS SELECT file_id FROM load_files WHERE star_batch_id = $1", true),
        ("ANALYZE batch_file_ids", false),
        ("""
        CREATE TEMP TABLE batch_plays ON COMMIT DROP AS
        SELECT e.user_id, e.session_id, e.item_in_session, min(sp.songplay_id) AS songplay_id, min(sp.start_time) AS start_time,
               -- Two different events with one key in this batch (against an earlier batch's play: batches.conflicting_plays).
               -- Column by column, so that the aggregation hashes instead of sorting every event.
               count(*) > 1 AND (min(e.ts) <> max(e.ts) OR min(e.level) <> max(e.level) OR min(e.song) <> max(e.song)
                   OR min(e.artist) <> max(e.artist) OR min(e.length) <> max(e.length) OR min(e.location) <> max(e.location)
                   OR min(e.user_agent) <> max(e.user_agent)
                   OR count(e.level) NOT IN (0, count(*)) OR count(e.song) NOT IN (0, count(*)) OR count(e.artist) NOT IN (0, count(*))
                   OR count(e.length) NOT IN (0, count(*)) OR count(e.location) NOT IN (0, count(*))
                   OR count(e.user_agent) NOT IN (0, count(*))) AS conflicting
        FROM staging_events e
        JOIN batch_file_ids USING (file_id)
        LEFT JOIN songplays sp ON sp.user_id = e.user_id AND sp.session_id = e.session_id AND sp.item_in_session = e.item_in_session
        WHERE e.page = 'NextSong'
        GROUP BY e.user_id, e.session_id, e.item_in_session
        """, false),
        ("ANALYZE batch_plays", false),
        ("CREATE TEMP TABLE batch_facts ON COMMIT DROP AS SELECT conflicting_plays FROM batches WHERE batch_id = $1", true),
    ];

    public static readonly IReadOnlyList<QualityCheck> Batch =
    [
        new("songplays_cover_staged_plays", "every NextSong event the batch staged has its songplay",
            "SELECT count(*) FROM batch_plays WHERE songplay_id IS NULL"),
        new("songplays_user_in_users", "every songplay of the batch has its users row",
            "SELECT count(*) FROM batch_plays b WHERE b.songplay_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.user_id = b.user_id)"),
        new("songplays_start_time_in_time", "every songplay of the batch has its time row",
            "SELECT count(*) FROM batch_plays b WHERE b.songplay_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM time t WHERE t.start_time = b.start_time)"),
        new("songplays_conflicting_duplicates", "no NextSong event of the batch disagrees with another event of its (user, session, item in session)",
            "SELECT (SELECT count(*) FROM batch_plays WHERE conflicting) + (SELECT conflicting_plays FROM batch_facts)"),
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
        new("songplays_cover_staged_plays", "every staged NextSong event has its songplay",
            """
            SELECT count(*) FROM (SELECT DISTINCT user_id, session_id, item_in_session FROM staging_events WHERE page = 'NextSong') e
            WHERE NOT EXISTS (SELECT 1 FROM songplays sp
                              WHERE sp.user_id = e.user_id AND sp.session_id = e.session_id AND sp.item_in_session = e.item_in_session)
            """),
        new("songplays_not_empty", "songplays is not empty when staging holds NextSong events",
            """
            SELECT CASE WHEN EXISTS (SELECT 1 FROM staging_events WHERE page = 'NextSong')
                         AND NOT EXISTS (SELECT 1 FROM songplays) THEN 1 ELSE 0 END
            """),
    ];

    /// <summary>
    /// With a batch: the batch's checks, stored with its id. Without: the whole-warehouse checks, stored without one.
    /// </summary>
    public async Task<IReadOnlyList<QualityCheckResult>> RunAsync(long? batchId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        await using (var set = new NpgsqlCommand(Star.StarSchemaLoader.SessionSettings(statementTimeout), connection, transaction))
        {
            await set.ExecuteNonQueryAsync(cancellationToken);
        }
        foreach (var (sql, takesBatchId) in batchId is not null ? CollectBatch : [])
        {
            await using var collect = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
            if (takesBatchId)
            {
                collect.Parameters.Add(new() { Value = batchId!.Value });
            }
            await collect.ExecuteNonQueryAsync(cancellationToken);
        }
        var checks = batchId is null ? Warehouse : Batch;
        var results = new List<QualityCheckResult>(checks.Count);
        foreach (var check in checks)
        {
            await using var command = new NpgsqlCommand(check.FailingRowsSql, connection, transaction) { CommandTimeout = 0 };
            var failing = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            results.Add(new QualityCheckResult(check.Name, check.Description, failing == 0, failing));
        }

        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO quality_check_results (batch_id, check_name, passed, failing_rows)
            SELECT $1, name, passed, failing_rows FROM unnest($2::text[], $3::boolean[], $4::bigint[]) AS r (name, passed, failing_rows)
            """, connection, transaction))
        {
            insert.Parameters.Add(new() { Value = (object?)batchId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
            insert.Parameters.Add(new() { Value = results.Select(r => r.Name).ToArray() });
            insert.Parameters.Add(new() { Value = results.Select(r => r.Passed).ToArray() });
            insert.Parameters.Add(new() { Value = results.Select(r => r.FailingRows).ToArray() });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return results;
    }

    /// <summary>The latest batch whose star load consumed files, for checking "the last load" (null: none yet).</summary>
    public async Task<long?> LatestStarBatchAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT max(star_batch_id) FROM load_files");
        return await command.ExecuteScalarAsync(cancellationToken) is long id ? id : null;
    }

    // Table and column names come from the fixed list above, never from input.
    private static QualityCheck KeyCheck(string table, string key) => new(
        $"{table}_{key}_not_null_unique",
        $"{table}.{key} is never null and never repeated",
        $"SELECT count(*) FILTER (WHERE {key} IS NULL) + (count({key}) - count(DISTINCT {key})) FROM {table}");
}
