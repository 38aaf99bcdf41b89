using Npgsql;

namespace Sparkify.Warehouse.Quality;

/// <summary>
/// The checks run after every star load, like Airflow's DataQualityOperator and dbt's not_null / unique /
/// relationships tests. Results are stored in <c>quality_check_results</c>.
/// </summary>
public sealed class QualityChecks(NpgsqlDataSource dataSource)
{
    public static readonly IReadOnlyList<QualityCheck> All =
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

    /// <summary>Runs every check and stores the results (with <paramref name="batchId"/> when given).</summary>
    public async Task<IReadOnlyList<QualityCheckResult>> RunAsync(long? batchId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var results = new List<QualityCheckResult>(All.Count);
        foreach (var check in All)
        {
            await using var command = new NpgsqlCommand(check.FailingRowsSql, connection, transaction);
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

    // Table and column names come from the fixed list above, never from input.
    private static QualityCheck KeyCheck(string table, string key) => new(
        $"{table}_{key}_not_null_unique",
        $"{table}.{key} is never null and never repeated",
        $"SELECT count(*) FILTER (WHERE {key} IS NULL) + (count({key}) - count(DISTINCT {key})) FROM {table}");
}
