using Npgsql;
using NpgsqlTypes;

namespace Sparkify.Warehouse.Star;

/// <summary>
/// Loads the star schema from staging, set-based, in one transaction. It consumes every staged file that no
/// star load has consumed yet (so a batch whose star load crashed is picked up by the next one) and recomputes
/// the dimension rows those files touch from all of staging, which makes the result independent of load order
/// and makes a re-run change nothing.
/// </summary>
public sealed class StarSchemaLoader(NpgsqlDataSource dataSource)
{
    /// <summary>The advisory lock that serialises star loads (one at a time per warehouse).</summary>
    public const long StarLoadLockKey = 0x5350_4B46_5354_4152; // "SPKFSTAR"

    public async Task<StarLoadResult> LoadAsync(long batchId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock($1)", cancellationToken, StarLoadLockKey);
        await ExecuteAsync(connection, transaction, StarSql.CollectPendingFiles, cancellationToken);
        await ExecuteAsync(connection, transaction, "ANALYZE pending_files", cancellationToken);
        var files = await ExecuteAsync(connection, transaction, StarSql.MarkFilesConsumed, cancellationToken, batchId);
        if (files > 0)
        {
            // Fresh staging rows have no planner statistics yet; without them the joins below plan badly.
            await ExecuteAsync(connection, transaction, "ANALYZE staging_events, staging_songs", cancellationToken);
        }

        var artists = await ExecuteAsync(connection, transaction, StarSql.UpsertArtists, cancellationToken);
        var songs = await ExecuteAsync(connection, transaction, StarSql.UpsertSongs, cancellationToken);
        var users = await ExecuteAsync(connection, transaction, StarSql.UpsertUsers, cancellationToken);
        var songplays = await ExecuteAsync(connection, transaction, StarSql.RematchSongplays, cancellationToken)
            + await ExecuteAsync(connection, transaction, StarSql.InsertSongplays, cancellationToken);
        var time = await InsertMissingTimeAsync(connection, transaction, cancellationToken);

        await transaction.CommitAsync(cancellationToken);
        return new StarLoadResult(files, artists, songs, users, songplays, time);
    }

    /// <summary>Adds a <c>time</c> row for every songplay start time that has none; the parts are computed by <see cref="TimeParts"/>.</summary>
    private static async Task<long> InsertMissingTimeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var missing = new List<DateTime>();
        await using (var select = new NpgsqlCommand(StarSql.MissingStartTimes, connection, transaction))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                missing.Add(reader.GetDateTime(0));
            }
        }
        if (missing.Count == 0)
        {
            return 0;
        }

        await using var importer = await connection.BeginBinaryImportAsync(
            "COPY time (start_time, hour, day, week, month, year, weekday) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var startTime in missing)
        {
            var parts = TimeParts.Of(startTime);
            importer.StartRow();
            importer.Write(startTime, NpgsqlDbType.TimestampTz);
            importer.Write(parts.Hour, NpgsqlDbType.Integer);
            importer.Write(parts.Day, NpgsqlDbType.Integer);
            importer.Write(parts.Week, NpgsqlDbType.Integer);
            importer.Write(parts.Month, NpgsqlDbType.Integer);
            importer.Write(parts.Year, NpgsqlDbType.Integer);
            importer.Write(parts.Weekday, NpgsqlDbType.Integer);
        }
        return (long)await importer.CompleteAsync(cancellationToken);
    }

    private static async Task<int> ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new() { Value = parameter });
        }
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
