using Npgsql;

namespace Sparkify.Cli.Bench;

/// <summary>
/// The PostgreSQL expert's way, as a baseline: psql <c>\copy</c> of every JSON line into a jsonb table, then
/// INSERT … SELECT into the same star schema (with an index on songs.title), all in the database.
/// </summary>
internal static class InDatabaseWay
{
    public static async Task<ChildProcess.Result> RunAsync(string dataFolder, string connectionString, CancellationToken cancellationToken)
    {
        var script = Path.Combine(Path.GetTempPath(), $"sparkify-bench-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(script, Script(dataFolder), cancellationToken);
        try
        {
            return await ChildProcess.RunAsync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", script],
                PsqlEnvironment(connectionString), cancellationToken);
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>psql takes the connection from PG* variables: nothing secret on its command line.</summary>
    public static Dictionary<string, string?> PsqlEnvironment(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return new Dictionary<string, string?>
        {
            ["PGHOST"] = builder.Host, ["PGPORT"] = builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PGUSER"] = builder.Username, ["PGPASSWORD"] = builder.Password, ["PGDATABASE"] = builder.Database,
        };
    }

    /// <summary>A path for the shell inside psql's single-quoted PROGRAM string: double quotes, shell specials escaped.</summary>
    private static string Quote(string path)
    {
        if (path.Contains('\'', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The bench's data folder may not contain a single quote: {path}");
        }
        return "\"" + path.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("$", "\\$", StringComparison.Ordinal).Replace("`", "\\`", StringComparison.Ordinal) + "\"";
    }

    // `awk 1` ends every file's last line with a newline (the files have none), so each JSON document is one line;
    // CSV with quote and delimiter bytes that never occur keeps the JSON's backslashes intact.
    private static string Script(string dataFolder) => $$"""
        SET TIME ZONE 'UTC';
        CREATE TABLE raw_songs (doc jsonb);
        CREATE TABLE raw_events (doc jsonb);
        \copy raw_songs (doc) FROM PROGRAM 'find {{Quote(Path.Combine(dataFolder, "song_data"))}} -name "*.json" -print0 | xargs -0 -r awk 1' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
        \copy raw_events (doc) FROM PROGRAM 'find {{Quote(Path.Combine(dataFolder, "log_data"))}} -name "*.json" -print0 | xargs -0 -r awk 1' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')

        CREATE TABLE songs AS
        SELECT DISTINCT ON (doc->>'song_id') doc->>'song_id' AS song_id, doc->>'title' AS title, doc->>'artist_id' AS artist_id,
               (doc->>'year')::int AS year, (doc->>'duration')::float8 AS duration
        FROM raw_songs ORDER BY doc->>'song_id';
        CREATE TABLE artists AS
        SELECT DISTINCT ON (doc->>'artist_id') doc->>'artist_id' AS artist_id, doc->>'artist_name' AS name,
               NULLIF(doc->>'artist_location', '') AS location, (doc->>'artist_latitude')::float8 AS latitude,
               (doc->>'artist_longitude')::float8 AS longitude
        FROM raw_songs ORDER BY doc->>'artist_id';
        CREATE INDEX ON songs (title);
        CREATE UNIQUE INDEX ON artists (artist_id);
        ANALYZE songs, artists;

        CREATE TABLE events AS
        SELECT doc->>'artist' AS artist, doc->>'song' AS song, (doc->>'length')::float8 AS length, doc->>'level' AS level,
               doc->>'location' AS location, doc->>'page' AS page, (doc->>'sessionId')::int AS session_id,
               (doc->>'itemInSession')::int AS item_in_session, doc->>'userAgent' AS user_agent,
               NULLIF(doc->>'userId', '')::bigint AS user_id, doc->>'firstName' AS first_name, doc->>'lastName' AS last_name,
               doc->>'gender' AS gender, to_timestamp((doc->>'ts')::bigint / 1000.0) AS ts
        FROM raw_events;

        CREATE TABLE users AS
        SELECT DISTINCT ON (user_id) user_id, first_name, last_name, gender, level
        FROM events WHERE user_id IS NOT NULL ORDER BY user_id, ts DESC;

        CREATE TABLE songplays AS
        SELECT e.ts AS start_time, e.user_id, e.level, m.song_id, m.artist_id, e.session_id, e.location, e.user_agent
        FROM events e
        LEFT JOIN LATERAL (
            SELECT s.song_id, s.artist_id FROM songs s JOIN artists a USING (artist_id)
            WHERE s.title = e.song AND a.name = e.artist
            ORDER BY abs(s.duration - e.length) LIMIT 1) m ON true
        WHERE e.page = 'NextSong';

        CREATE TABLE time AS
        SELECT DISTINCT start_time, extract(hour FROM start_time)::int AS hour, extract(day FROM start_time)::int AS day,
               extract(week FROM start_time)::int AS week, extract(month FROM start_time)::int AS month,
               extract(year FROM start_time)::int AS year, extract(isodow FROM start_time)::int - 1 AS weekday
        FROM songplays;
        """;
}
