using Npgsql;

namespace Sparkify.Warehouse.Star;

/// <summary>
/// Loads the star schema from staging, set-based, in one transaction. It consumes every staged file that no star
/// load has consumed yet (so a batch whose star load crashed is picked up by the next one) and takes out of the star
/// schema every file version superseded since (its plays recomputed from what staging still holds). Dimension rows are
/// recomputed from all of staging for the keys those files touch, which makes the result independent of load order
/// and makes a re-run change nothing. <c>time</c> is derived from the plays written.
/// </summary>
/// <param name="statementTimeout">
/// The longest any one statement may run (the server's statement_timeout); null: no limit. A star load's statements
/// grow with the batch, so the default 30 s command timeout would fail large backfills for good.
/// </param>
public sealed class StarSchemaLoader(NpgsqlDataSource dataSource, TimeSpan? statementTimeout = null)
{
    /// <summary>The advisory lock that serialises star loads (one at a time per warehouse).</summary>
    public const long StarLoadLockKey = 0x5350_4B46_5354_4152; // "SPKFSTAR"

    /// <summary>
    /// The planner settings of a star load's and its checks' transactions. work_mem: sorts and hashes over a batch's
    /// plays stay in memory (the default is 4 MB). random_page_cost: the warehouse's hot tables are cached or on SSD,
    /// and at the default of 4 the planner hashes a whole table (time, 250k+ rows) to check a small batch's rows
    /// instead of probing its index, so a batch's cost grew with the history.
    /// </summary>
    private const string PlannerSettings = "SET LOCAL work_mem = '128MB'; SET LOCAL random_page_cost = 1.1";

    /// <summary>
    /// The transaction's settings for the star load and for the checks: the planner settings above, and each
    /// statement limited to <paramref name="statementTimeout"/> (null: no limit).
    /// </summary>
    internal static string SessionSettings(TimeSpan? statementTimeout) =>
        $"SET LOCAL statement_timeout = {(statementTimeout is { } limit ? (long)limit.TotalMilliseconds : 0)}; {PlannerSettings}";

    public async Task<StarLoadResult> LoadAsync(long batchId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var run = new Statements(connection, transaction, cancellationToken);

        await run.ExecuteAsync(SessionSettings(statementTimeout));
        await run.ExecuteAsync("SELECT pg_advisory_xact_lock($1)", StarLoadLockKey);
        await run.ExecuteAsync(StarSql.CollectFiles);
        var files = await run.ExecuteAsync(StarSql.MarkFilesConsumed, batchId);
        var retired = await run.ExecuteAsync(StarSql.MarkFilesRetired, batchId);
        await run.ExecuteAsync(retired > 0 ? StarSql.RetireFiles : StarSql.NothingRetired);
        if (files > 0)
        {
            // Many fresh staging rows without planner statistics make the joins below plan badly.
            var (analyzeEvents, analyzeSongs) = await run.QueryFlagsAsync(StarSql.StagingToAnalyze);
            if (analyzeEvents || analyzeSongs)
            {
                // Through the tables' owner (migration 0010): the workers' role does not own staging, and PostgreSQL
                // skips ANALYZE by a non-owner with a warning.
                await run.ExecuteAsync("SELECT analyze_staging($1, $2)", analyzeEvents, analyzeSongs);
            }
        }

        var artists = await run.ExecuteAsync(StarSql.UpsertArtists);
        var songs = await run.ExecuteAsync(StarSql.UpsertSongs);
        var users = await run.ExecuteAsync(StarSql.UpsertUsers);
        if (retired > 0)
        {
            await run.ExecuteAsync(StarSql.DeleteRetiredDimensions);
        }
        var songplays = await run.ExecuteAsync(StarSql.RematchSongplays);
        await run.ExecuteAsync(StarSql.CollectChosenPlays);
        await run.ExecuteAsync(StarSql.CountConflictingPlays, batchId);
        songplays += await run.ExecuteAsync(StarSql.ReplaceGreaterPlays);
        songplays += await run.ExecuteAsync(StarSql.InsertNewPlays);
        var time = await run.ExecuteAsync(StarSql.SyncTime);

        await transaction.CommitAsync(cancellationToken);
        return new StarLoadResult(files, artists, songs, users, songplays, time);
    }

    private sealed class Statements(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        public async Task<int> ExecuteAsync(string sql, params object[] parameters)
        {
            // The server's statement_timeout bounds each statement; the client does not cut it short.
            await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
            foreach (var parameter in parameters)
            {
                command.Parameters.Add(new() { Value = parameter });
            }
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }

        /// <summary>The two booleans of a one-row query; false, false when it returns no row.</summary>
        public async Task<(bool First, bool Second)> QueryFlagsAsync(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? (reader.GetBoolean(0), reader.GetBoolean(1)) : (false, false);
        }
    }
}
