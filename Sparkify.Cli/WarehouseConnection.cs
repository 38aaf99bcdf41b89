using System.CommandLine;
using Npgsql;
using Sparkify.Warehouse;

namespace Sparkify.Cli;

/// <summary>The <c>--connection</c> option, falling back to <c>ConnectionStrings__warehouse</c> like the workers.</summary>
internal static class WarehouseConnection
{
    public const string EnvironmentVariable = "ConnectionStrings__warehouse";

    public static Option<string?> CreateOption() => new("--connection", "-c")
    {
        Description = $"Npgsql connection string of the warehouse database (default: ${EnvironmentVariable}).",
    };

    public static NpgsqlDataSource Open(ParseResult parseResult, Option<string?> option)
    {
        var connectionString = Resolve(parseResult, option);
        try
        {
            return WarehouseDataSource.Create(connectionString, "sparkify-cli");
        }
        catch (ArgumentException exception)
        {
            throw new UsageException("the connection string is not valid: " + exception.Message);
        }
    }

    /// <summary>The connection string as given (with its password, unlike <see cref="NpgsqlDataSource.ConnectionString"/>).</summary>
    public static string Resolve(ParseResult parseResult, Option<string?> option)
    {
        var connectionString = parseResult.GetValue(option);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            connectionString = Environment.GetEnvironmentVariable(EnvironmentVariable);
        }
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new UsageException($"no database given: pass --connection \"Host=...;Database=...;Username=...\" or set {EnvironmentVariable}.");
        }
        return connectionString;
    }

    /// <summary>The database a data source points at, for messages (never the password).</summary>
    public static string Describe(NpgsqlDataSource dataSource)
    {
        var builder = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        return $"database \"{builder.Database}\" on {builder.Host}:{builder.Port}";
    }
}
