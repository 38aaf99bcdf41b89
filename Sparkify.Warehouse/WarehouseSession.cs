using Npgsql;
using NpgsqlTypes;

namespace Sparkify.Warehouse;

/// <summary>
/// One open connection and its transaction: every statement of a unit of work runs through it, with its parameters
/// passed explicitly. By default statements carry no client-side timeout: the server's <c>statement_timeout</c> (set
/// per transaction) bounds them, and cancellation stops them; a session of short bookkeeping statements can keep the
/// data source's command timeout instead.
/// </summary>
public sealed class WarehouseSession : IAsyncDisposable
{
    private readonly CancellationToken _cancellationToken;
    private readonly int? _commandTimeoutSeconds;

    private WarehouseSession(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken, int? commandTimeoutSeconds)
    {
        Connection = connection;
        Transaction = transaction;
        _cancellationToken = cancellationToken;
        _commandTimeoutSeconds = commandTimeoutSeconds;
    }

    public NpgsqlConnection Connection { get; }

    public NpgsqlTransaction Transaction { get; }

    /// <param name="commandTimeoutSeconds">0 (the default): no client-side timeout; null: the data source's.</param>
    public static async Task<WarehouseSession> BeginAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken,
        System.Data.IsolationLevel isolation = System.Data.IsolationLevel.ReadCommitted, int? commandTimeoutSeconds = 0)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(isolation, cancellationToken);
            return new WarehouseSession(connection, transaction, cancellationToken, commandTimeoutSeconds);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>One statement on a connection of its own, outside any transaction, its parameters bound as a session binds them.</summary>
    /// <returns>The rows the statement affected.</returns>
    public static async Task<long> ExecuteOnceAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken, string sql, params object?[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(Parameter(parameter));
        }
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <returns>The rows the statement affected (for CREATE TABLE AS: the rows written).</returns>
    public async Task<long> ExecuteAsync(string sql, params object?[] parameters)
    {
        await using var command = Command(sql, parameters);
        return await command.ExecuteNonQueryAsync(_cancellationToken);
    }

    public async Task<T> ScalarAsync<T>(string sql, params object?[] parameters)
    {
        await using var command = Command(sql, parameters);
        var value = await command.ExecuteScalarAsync(_cancellationToken);
        return value switch
        {
            null or DBNull => default!,
            T typed => typed,
            // Counts and sums come back as int, bigint or numeric depending on the expression.
            _ => (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    /// <summary>The first row's columns as <typeparamref name="T"/> (all columns share one type); null when there is no row.</summary>
    public async Task<T[]?> RowAsync<T>(string sql, params object?[] parameters)
    {
        await using var command = Command(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(_cancellationToken);
        if (!await reader.ReadAsync(_cancellationToken))
        {
            return null;
        }
        var row = new T[reader.FieldCount];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = reader.GetFieldValue<T>(i);
        }
        return row;
    }

    /// <summary>Every row, read by <paramref name="read"/>.</summary>
    public async Task<List<T>> RowsAsync<T>(string sql, Func<NpgsqlDataReader, T> read, params object?[] parameters)
    {
        await using var command = Command(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(_cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(_cancellationToken))
        {
            rows.Add(read(reader));
        }
        return rows;
    }

    /// <summary>Several statements in one round trip; returns each statement's affected rows, in order.</summary>
    public async Task<long[]> BatchAsync(params (string Sql, object?[] Parameters)[] statements)
    {
        await using var batch = new NpgsqlBatch(Connection, Transaction);
        if (_commandTimeoutSeconds is { } timeout)
        {
            batch.Timeout = timeout;
        }
        foreach (var (sql, parameters) in statements)
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var parameter in parameters)
            {
                command.Parameters.Add(Parameter(parameter));
            }
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync(_cancellationToken);
        return [.. batch.BatchCommands.Cast<NpgsqlBatchCommand>().Select(c => (long)c.Rows)];
    }

    public Task CommitAsync() => Transaction.CommitAsync(_cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }

    private NpgsqlCommand Command(string sql, object?[] parameters)
    {
        var command = new NpgsqlCommand(sql, Connection, Transaction);
        if (_commandTimeoutSeconds is { } timeout)
        {
            command.CommandTimeout = timeout;
        }
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(Parameter(parameter));
        }
        return command;
    }

    private static NpgsqlParameter Parameter(object? value) => value switch
    {
        NpgsqlParameter parameter => parameter,
        null => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Unknown },
        _ => new NpgsqlParameter { Value = value },
    };
}
