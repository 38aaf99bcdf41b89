using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Sparkify.Warehouse.Schema;

/// <summary>
/// The database role the workers log in as: the rights they use and no DDL. The migration's login (the RDS master user)
/// owns the tables; this role may read and write their rows (COPY into staging included), use their sequences, create
/// temporary tables, take advisory locks (open to every role), read the star load's views, and run the owner's
/// functions the star load needs (analyse staging, the bulk path's index drop and rebuild: migration 0010). It owns
/// nothing and may create nothing in the schema.
/// </summary>
public static class WorkerRole
{
    public const string Name = "sparkify_worker";

    /// <summary>
    /// The environment variable that gives <c>sparkify create-tables</c> the workers' password: with it, the migration
    /// also creates (or updates) the workers' role with that password and its grants.
    /// </summary>
    public const string PasswordVariable = "SPARKIFY_WORKER_PASSWORD";

    /// <summary>
    /// Creates the role, or sets its password when it exists, and grants it exactly its rights on the current database
    /// and schema (run after the migrations, so that every table is there). The password travels as a SCRAM-SHA-256
    /// verifier, so that no statement log ever holds it.
    /// </summary>
    public static async Task EnsureAsync(NpgsqlDataSource dataSource, string password, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var verifier = ScramVerifier(password);
        // Utility statements take no parameters: the server quotes the values itself (format %I / %L).
        await ExecuteFormattedAsync(connection, transaction, """
            SELECT CASE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = $1)
                THEN format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD %L', $1, $2)
                ELSE format('CREATE ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD %L', $1, $2) END
            """, [Name, verifier], cancellationToken);
        await ExecuteFormattedAsync(connection, transaction, """
            SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), $1)
            UNION ALL SELECT format('REVOKE CREATE ON SCHEMA %I FROM %I', current_schema(), $1)
            UNION ALL SELECT format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), $1)
            UNION ALL SELECT format('GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE %s TO %I',
                (SELECT string_agg(format('%I.%I', current_schema(), t), ', ') FROM unnest($2::text[]) t), $1)
            UNION ALL SELECT format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', current_schema(), $1)
            UNION ALL SELECT format('GRANT SELECT ON TABLE %s TO %I',
                (SELECT string_agg(format('%I.%I', current_schema(), v), ', ') FROM unnest($3::text[]) v), $1)
            UNION ALL SELECT format('GRANT EXECUTE ON FUNCTION %s TO %I',
                (SELECT string_agg(format('%I.%s', current_schema(), f), ', ') FROM unnest($4::text[]) f), $1)
            """, [Name, SchemaMigrator.OwnedTables.ToArray(), SchemaMigrator.OwnedViews.ToArray(), SchemaMigrator.OwnedFunctions.ToArray()],
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// PostgreSQL's stored form of a SCRAM-SHA-256 password (RFC 5802/7677, as <c>\password</c> computes it):
    /// <c>SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey</c>. The generated passwords are ASCII, which SASLprep leaves as is.
    /// </summary>
    public static string ScramVerifier(string password, byte[]? salt = null, int iterations = 4096)
    {
        salt ??= RandomNumberGenerator.GetBytes(16);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        var storedKey = SHA256.HashData(HMACSHA256.HashData(salted, "Client Key"u8));
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return $"SCRAM-SHA-256${iterations}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}";
    }

    /// <summary>Runs each statement the query returns (one per row).</summary>
    private static async Task ExecuteFormattedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string query, object[] parameters,
        CancellationToken cancellationToken)
    {
        var statements = new List<string>();
        await using (var format = new NpgsqlCommand(query, connection, transaction))
        {
            foreach (var parameter in parameters)
            {
                format.Parameters.Add(new NpgsqlParameter { Value = parameter });
            }
            await using var reader = await format.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                statements.Add(reader.GetString(0));
            }
        }
        foreach (var statement in statements)
        {
            await using var command = new NpgsqlCommand(statement, connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
