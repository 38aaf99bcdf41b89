using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Sparkify.Cli.Bench;

/// <summary>
/// The physical limit of this machine for the input: every line of every JSON file, as bytes, through one binary COPY
/// into a table without indexes or constraints. No parsing, no star schema, no bookkeeping: what any way must at least pay.
/// </summary>
internal static class FloorWay
{
    public const string Name = "floor (bare binary COPY)";

    public static async Task<WayOutcome> RunAsync(string folder, string connectionString, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var create = dataSource.CreateCommand("CREATE TABLE floor_lines (line bytea)"))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        var files = Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var clock = Stopwatch.StartNew();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var importer = await connection.BeginBinaryImportAsync("COPY floor_lines (line) FROM STDIN (FORMAT binary)", cancellationToken))
        {
            foreach (var file in files)
            {
                var bytes = await File.ReadAllBytesAsync(file, cancellationToken);
                var start = 0;
                while (start < bytes.Length)
                {
                    var end = Array.IndexOf(bytes, (byte)'\n', start);
                    var length = (end < 0 ? bytes.Length : end) - start;
                    await importer.StartRowAsync(cancellationToken);
                    await importer.WriteAsync(new ArraySegment<byte>(bytes, start, length), NpgsqlDbType.Bytea, cancellationToken);
                    start += length + 1;
                }
            }
            await importer.CompleteAsync(cancellationToken);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        using var self = Process.GetCurrentProcess();
        return new WayOutcome(seconds, new Dictionary<string, long> { ["sparkify bench"] = self.PeakWorkingSet64 }, null);
    }
}
