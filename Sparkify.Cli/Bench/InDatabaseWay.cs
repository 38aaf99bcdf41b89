using Npgsql;

namespace Sparkify.Cli.Bench;

/// <summary>
/// The PostgreSQL expert's way, as a baseline: psql <c>\copy</c> of every JSON line into a jsonb table, then
/// INSERT … SELECT into the same star schema with the same keys (and an index on songs.title), all in the database.
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
    // CSV with quote and delimiter bytes that never occur keeps the JSON's backslashes intact. The star tables have the
    // same keys as the product's (primary keys, the plays' natural key), filled by INSERT … SELECT as a hand-written
    // script would, with an index on songs.title for the match.
    private static string Script(string dataFolder) => $$"""
        SET TIME ZONE 'UTC';
        CREATE TABLE raw_songs (doc jsonb);
        CREATE TABLE raw_events (doc jsonb);
        \copy raw_songs (doc) FROM PROGRAM 'find {{Quote(Path.Combine(dataFolder, "song_data"))}} -name "*.json" -print0 | xargs -0 -r awk 1' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
        \copy raw_events (doc) FROM PROGRAM 'find {{Quote(Path.Combine(dataFolder, "log_data"))}} -name "*.json" -print0 | xargs -0 -r awk 1' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')

        CREATE TABLE songplays (songplay_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, start_time timestamptz NOT NULL,
            user_id bigint NOT NULL, level text, song_id text, artist_id text, session_id int NOT NULL, location text, user_agent text,
            item_in_session int NOT NULL, UNIQUE (user_id, session_id, item_in_session));
        CREATE TABLE users (user_id bigint PRIMARY KEY, first_name text, last_name text, gender text, level text);
        CREATE TABLE songs (song_id text PRIMARY KEY, title text, artist_id text, year int, duration float8);
        CREATE TABLE artists (artist_id text PRIMARY KEY, name text, location text, latitude float8, longitude float8);
        CREATE TABLE time (start_time timestamptz PRIMARY KEY, hour int, day int, week int, month int, year int, weekday int);

        INSERT INTO songs
        SELECT DISTINCT ON (doc->>'song_id') doc->>'song_id', doc->>'title', doc->>'artist_id', (doc->>'year')::int, (doc->>'duration')::float8
        FROM raw_songs ORDER BY doc->>'song_id';
        INSERT INTO artists
        SELECT DISTINCT ON (doc->>'artist_id') doc->>'artist_id', doc->>'artist_name', NULLIF(doc->>'artist_location', ''),
               (doc->>'artist_latitude')::float8, (doc->>'artist_longitude')::float8
        FROM raw_songs ORDER BY doc->>'artist_id';
        CREATE INDEX ON songs (title);
        ANALYZE songs, artists;

        INSERT INTO users
        SELECT DISTINCT ON (NULLIF(doc->>'userId', '')::bigint) NULLIF(doc->>'userId', '')::bigint, doc->>'firstName', doc->>'lastName',
               doc->>'gender', doc->>'level'
        FROM raw_events WHERE NULLIF(doc->>'userId', '') IS NOT NULL
        ORDER BY NULLIF(doc->>'userId', '')::bigint, (doc->>'ts')::bigint DESC;

        INSERT INTO songplays (start_time, user_id, level, song_id, artist_id, session_id, location, user_agent, item_in_session)
        SELECT to_timestamp((e.doc->>'ts')::bigint / 1000.0), (e.doc->>'userId')::bigint, e.doc->>'level', m.song_id, m.artist_id,
               (e.doc->>'sessionId')::int, e.doc->>'location', e.doc->>'userAgent', (e.doc->>'itemInSession')::int
        FROM raw_events e
        LEFT JOIN LATERAL (
            SELECT s.song_id, s.artist_id FROM songs s JOIN artists a USING (artist_id)
            WHERE s.title = e.doc->>'song' AND a.name = e.doc->>'artist'
            ORDER BY abs(s.duration - (e.doc->>'length')::float8) LIMIT 1) m ON true
        WHERE e.doc->>'page' = 'NextSong'
        ON CONFLICT DO NOTHING;

        INSERT INTO time
        SELECT DISTINCT start_time, extract(hour FROM start_time), extract(day FROM start_time), extract(week FROM start_time),
               extract(month FROM start_time), extract(year FROM start_time), extract(isodow FROM start_time) - 1
        FROM songplays;
        """;
}
