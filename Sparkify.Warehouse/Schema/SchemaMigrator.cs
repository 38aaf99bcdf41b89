using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Sparkify.Warehouse.Schema;

/// <summary>
/// Applies the embedded, numbered SQL migrations once each, in order. Safe to call from every tool and
/// worker at start: an advisory lock serialises concurrent callers and applied versions are skipped.
/// </summary>
public sealed class SchemaMigrator(NpgsqlDataSource dataSource)
{
    private const long MigrationLockKey = 0x5350_4B46_4D49_4752; // "SPKFMIGR"

    /// <summary>Every table the product owns, in an order that drops cleanly.</summary>
    public static readonly IReadOnlyList<string> OwnedTables =
    [
        "quality_check_results", "load_errors", "star_files", "load_files", "batch_phase_times", "batch_files", "batches", "listing_watermarks",
        "staging_events", "staging_songs",
        "songplays", "users", "users_latest", "songs", "artists", "time",
        "schema_migrations",
    ];

    /// <summary>Every view the product owns (dropped with its tables).</summary>
    public static readonly IReadOnlyList<string> OwnedViews = ["star_staging_events", "star_staging_songs"];

    /// <summary>Every function the product owns, with its argument types.</summary>
    public static readonly IReadOnlyList<string> OwnedFunctions =
    [
        "analyze_staging(boolean, boolean)", "star_bulk_begin()", "star_bulk_end()",
    ];

    public static IReadOnlyList<Migration> Migrations { get; } = LoadEmbeddedMigrations();

    /// <returns>The versions applied by this call (empty when the schema was already current).</returns>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockAsync(connection, transaction, cancellationToken);

        await using (var create = new NpgsqlCommand(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text        NOT NULL,
                checksum   text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var applied = new Dictionary<int, string>();
        await using (var select = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", connection, transaction))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied[reader.GetInt32(0)] = reader.GetString(1);
            }
        }

        var newlyApplied = new List<int>();
        foreach (var migration in Migrations)
        {
            if (applied.TryGetValue(migration.Version, out var checksum))
            {
                if (checksum != migration.Checksum)
                {
                    throw new InvalidOperationException(
                        $"Migration {migration.Version} ({migration.Name}) was changed after it was applied " +
                        "to this database. Add a new migration instead of editing an applied one.");
                }
                continue;
            }

            await using (var apply = new NpgsqlCommand(migration.Sql, connection, transaction))
            {
                await apply.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var record = new NpgsqlCommand(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", connection, transaction))
            {
                record.Parameters.Add(new() { Value = migration.Version });
                record.Parameters.Add(new() { Value = migration.Name });
                record.Parameters.Add(new() { Value = migration.Checksum });
                await record.ExecuteNonQueryAsync(cancellationToken);
            }
            newlyApplied.Add(migration.Version);
        }

        await transaction.CommitAsync(cancellationToken);
        return newlyApplied;
    }

    /// <summary>
    /// Compares the database with the migrations this code carries, changing nothing: which are missing (the schema is
    /// older than this code needs), and the newest version applied. A migration edited after it was applied throws.
    /// </summary>
    public async Task<SchemaState> CheckAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var applied = new Dictionary<int, string>();
        await using (var select = new NpgsqlCommand(
            "SELECT version, checksum FROM schema_migrations", connection))
        {
            try
            {
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    applied[reader.GetInt32(0)] = reader.GetString(1);
                }
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // No schema at all: every migration is missing.
            }
        }
        foreach (var migration in Migrations)
        {
            if (applied.TryGetValue(migration.Version, out var checksum) && checksum != migration.Checksum)
            {
                throw new InvalidOperationException(
                    $"Migration {migration.Version} ({migration.Name}) differs from the one applied to this database: " +
                    "this code and the database do not belong together.");
            }
        }
        var missing = Migrations.Where(m => !applied.ContainsKey(m.Version)).Select(m => m.Version).ToList();
        return new SchemaState(applied.Count == 0 ? 0 : applied.Keys.Max(), missing);
    }

    /// <summary>Drops every table the product owns (data included). The caller re-creates them with <see cref="MigrateAsync"/>.</summary>
    public async Task DropAllAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockAsync(connection, transaction, cancellationToken);
        // Identifiers are the fixed list above, never input.
        var drop = "DROP TABLE IF EXISTS " + string.Join(", ", OwnedTables) + " CASCADE; " +
                   "DROP FUNCTION IF EXISTS " + string.Join(", ", OwnedFunctions);
        await using (var command = new NpgsqlCommand(drop, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction);
        command.Parameters.Add(new() { Value = MigrationLockKey });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static List<Migration> LoadEmbeddedMigrations()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith("Migrations/", StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }
            var name = resource["Migrations/".Length..^".sql".Length];
            var separator = name.IndexOf('_', StringComparison.Ordinal);
            var version = int.Parse(name.AsSpan(0, separator), System.Globalization.CultureInfo.InvariantCulture);
            var sql = ReadResource(assembly, resource);
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
            migrations.Add(new Migration(version, name[(separator + 1)..], sql, checksum));
        }
        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        return migrations;
    }

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded migration {name} is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    }
}

/// <param name="Version">The newest migration applied to the database (0: none).</param>
/// <param name="Missing">Migrations this code carries that the database lacks.</param>
public sealed record SchemaState(int Version, IReadOnlyList<int> Missing);

public sealed record Migration(int Version, string Name, string Sql, string Checksum);
